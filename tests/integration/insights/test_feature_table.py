"""A school's per-student feature table, scored by the rule-based scorer (the default), as JSON
or CSV, for counsellors and admins."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import httpx
from fastapi import FastAPI

from edtech.insights.domain.features import (
    FEATURE_VERSION,
    FEATURES,
)
from edtech.insights.infrastructure.tables import grade_standing, student_signal
from edtech.kernel.ids import new_id
from tests.integration.attendance.helpers import SCHOOL_ZONE, School
from tests.integration.insights.helpers import four_days_and_an_absence, make_counsellor
from tests.roster import login


async def seed_grades(
    app: FastAPI, school: School, *, maths_previous_since: date, science_since: date
) -> None:
    """What insights saw of student1's published totals: Maths 48 % today (62 % since
    `maths_previous_since`: down 14 points), Science 75.5 % since `science_since`; and 4 pieces
    of work missing (their missing_work signal)."""
    student1 = school.person("student1@demo.test")
    institution = school.demo.institution_id
    today = school.clock.now().astimezone(SCHOOL_ZONE).date()
    maths, science = school.demo.section_ids[:2]
    async with app.state.services.session_factory() as db:
        await db.execute(
            grade_standing.insert(),
            [
                {
                    "student_id": student1,
                    "section_id": maths,
                    "institution_id": institution,
                    "percent": "48",
                    "since": today,
                    "previous_percent": "62",
                    "previous_since": maths_previous_since,
                },
                {
                    "student_id": student1,
                    "section_id": science,
                    "institution_id": institution,
                    "percent": "75.5",
                    "since": science_since,
                    "previous_percent": None,
                    "previous_since": None,
                },
            ],
        )
        await db.execute(
            student_signal.insert().values(
                id=new_id(),
                institution_id=institution,
                student_id=student1,
                indicator="missing_work",
                level="alert",
                missed=4,
                counted=2,
                evidence="4 pieces of work missing: Maths 3, Science 1",
                missed_sessions=[],
                links=[],
                changed_at=school.clock.now(),
                version=1,
            )
        )
        await db.commit()


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
    assert (row["score_level"], row["score_value"], row["scorer"]) == (
        "alert",
        0.2,
        f"rules@{FEATURE_VERSION}",
    )
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


async def test_grade_features_and_the_parquet_export_read_back_with_pyarrow(
    client: httpx.AsyncClient, school: School, app: FastAPI
) -> None:
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    counsellor = await make_counsellor(client, school)
    await four_days_and_an_absence(client, school, app)
    student1 = school.person("student1@demo.test")
    today = school.clock.now().astimezone(SCHOOL_ZONE).date()
    await seed_grades(
        app, school, maths_previous_since=today - timedelta(days=14), science_since=today
    )
    url = f"/api/v1/insights/features/schools/{school.demo.school_ids[0]}"
    body = (await client.get(url, params={"limit": 200}, headers=counsellor)).json()
    assert body["feature_version"] == FEATURE_VERSION == 3
    rows = {i["student_id"]: i for i in body["items"]}
    grades = ("courses_with_total", "lowest_course_total", "failing_courses")
    grades += ("largest_grade_drop", "missing_work")
    assert [rows[str(student1)][k] for k in grades] == [2, 48.0, 1, 14.0, 4]
    # The scorer judges them with the attendance, each with its reason.
    assert rows[str(student1)]["score_reasons"][-3:] == [
        "1 of 2 courses below 60 % (lowest 48 %)",
        "a course total down 14 points",
        "4 pieces of work missing",
    ]
    student2 = next(k for k in rows if k != str(student1))  # no published grades
    assert [rows[student2][k] for k in grades] == [0, None, 0, 0.0, 0]
    assert set(grades) <= set(FEATURES)

    exported = await client.get(url, params={"format": "parquet"}, headers=counsellor)
    assert exported.status_code == 200, exported.text
    assert exported.headers["content-type"] == "application/vnd.apache.parquet"
    assert f"features-v{FEATURE_VERSION}-" in exported.headers["content-disposition"]
    table = pq.read_table(io.BytesIO(exported.content))
    assert table.schema.metadata[b"feature_version"] == str(FEATURE_VERSION).encode()
    assert set(FEATURES) <= set(table.column_names)
    assert str(table.schema.field("as_of").type) == "date32[day]"
    assert str(table.schema.field("days_enrolled").type) == "int64"
    assert str(table.schema.field("score_reasons").type.value_type) == "string"
    assert table.num_rows == body["total"]
    back = {r["student_id"]: r for r in table.to_pylist()}
    assert [back[str(student1)][k] for k in grades] == [2, 48.0, 1, 14.0, 4]
    assert back[student2]["lowest_course_total"] is None
    assert back[str(student1)]["as_of"] == today
    assert back[str(student1)]["score_reasons"] == rows[str(student1)]["score_reasons"]


async def test_grade_features_are_judged_as_of_the_day_asked(
    client: httpx.AsyncClient, school: School, app: FastAPI
) -> None:
    """Two days ago Maths still stood at its previous total (62 %, first seen three days ago)
    and Science had none; four days ago (the first day attended) no course had a total, so no
    work was missing either."""
    counsellor = await make_counsellor(client, school)
    await four_days_and_an_absence(client, school, app)
    student1 = school.person("student1@demo.test")
    today = school.clock.now().astimezone(SCHOOL_ZONE).date()
    await seed_grades(
        app,
        school,
        maths_previous_since=today - timedelta(days=3),
        science_since=today - timedelta(days=1),
    )
    url = f"/api/v1/insights/features/schools/{school.demo.school_ids[0]}"
    grades = ("courses_with_total", "lowest_course_total", "failing_courses")
    grades += ("largest_grade_drop", "missing_work")
    for days_ago, expected in (
        (0, [2, 48.0, 1, 14.0, 4]),  # today: Maths 48 % (down 14), Science 75.5 %
        (1, [2, 62.0, 0, 0.0, 4]),  # Science's first total; Maths still 62 %
        (2, [1, 62.0, 0, 0.0, 4]),  # Maths 62 % (what came before it is not kept)
        (4, [0, None, 0, 0.0, 0]),  # before any total insights saw
    ):
        as_of = (today - timedelta(days=days_ago)).isoformat()
        r = await client.get(url, params={"as_of": as_of, "limit": 200}, headers=counsellor)
        assert r.status_code == 200, r.text
        row = next(i for i in r.json()["items"] if i["student_id"] == str(student1))
        assert [row[k] for k in grades] == expected, (days_ago, row)
