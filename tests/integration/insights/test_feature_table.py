"""A school's per-student feature table, scored by the rule-based scorer (the default), as JSON
or CSV, for counsellors and admins."""

from __future__ import annotations

import csv
import io

import httpx
from fastapi import FastAPI

from edtech.insights.domain.features import (
    FEATURE_VERSION,
    FEATURES,
)
from tests.integration.attendance.helpers import SCHOOL_ZONE, School
from tests.integration.insights.helpers import four_days_and_an_absence, make_counsellor
from tests.roster import login


async def test_the_feature_table_is_scored_by_the_rules_and_exported_as_csv(
    client: httpx.AsyncClient, school: School, app: FastAPI
) -> None:
    counsellor = await make_counsellor(client, school)
    await four_days_and_an_absence(client, school, app)
    url = f"/api/v1/insights/features/schools/{school.demo.school_ids[0]}"
    student1 = str(school.person("student1@demo.test"))

    r = await client.get(url, params={"limit": 200}, headers=counsellor)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["feature_version"] == FEATURE_VERSION
    assert body["as_of"] == school.clock.now().astimezone(SCHOOL_ZONE).date().isoformat()
    row = next(i for i in body["items"] if i["student_id"] == student1)
    assert (row["days_enrolled"], row["days_absent"], row["recent_days_absent"]) == (5, 1.0, 1.0)
    assert (row["score_level"], row["score_value"], row["scorer"]) == ("alert", 0.2, "rules@1")
    assert row["score_reasons"][0] == "20 % of enrolled days missed (1 of 5)"

    exported = await client.get(url, params={"format": "csv"}, headers=counsellor)
    assert exported.headers["content-type"] == "text/csv; charset=utf-8"
    assert f"features-v{FEATURE_VERSION}-" in exported.headers["content-disposition"]
    table = list(csv.DictReader(io.StringIO(exported.text)))
    assert set(FEATURES) <= set(table[0])
    assert len(table) == body["total"]

    for email in ("teacher1@demo.test", "officer@demo.test", "guardian1@demo.test"):
        refused = await client.get(url, headers=await login(client, email))
        assert refused.status_code == 403, email
