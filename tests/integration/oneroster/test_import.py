"""Importing a realistic OneRoster 1.2 package (quirks included): bulk, idempotent, validated."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from edtech.demo import DemoSummary
from tests.integration.oneroster.helpers import (
    import_outcome,
    imported,
    package,
    person_id,
    section_id,
    texts,
    writes,
    zipped,
)
from tests.roster import login


async def test_a_bulk_package_creates_the_roster_and_a_second_import_changes_nothing(
    client: httpx.AsyncClient, app: FastAPI, demo: DemoSummary
) -> None:
    admin = await login(client, "admin@demo.test")
    report = await imported(client, app, admin, package("bulk"))
    entities = report["entities"]
    assert entities["org"]["created"] == 3
    assert entities["academicSession"]["created"] == 4
    assert entities["class"]["created"] == 4
    assert entities["user"]["created"] == 11
    assert entities["role"]["created"] == 10  # the counselor's role is kept, grants nothing
    assert entities["enrollment"]["created"] == 11
    assert entities["link"]["created"] == 3
    assert any("counselor" in w["msg"] for w in report["warnings"])

    grace = await person_id(client, admin, "t-grace")
    r = await client.get(f"/api/v1/people/{grace}", headers=admin)
    assert r.json()["email"] == "grace.hopper@lakeside.example"
    liam = await person_id(client, admin, "s-2")
    assert (await client.get(f"/api/v1/people/{liam}", headers=admin)).json()[
        "family_name"
    ] == "O'Neil, Jr."
    p2 = await section_id(client, admin, "ALG1-P2")
    r = await client.get(f"/api/v1/sections/{p2}", headers=admin)
    assert r.json()["room"] == 'Room "B" 12'

    again = await imported(client, app, admin, package("bulk"))
    assert writes(again) == 0
    assert again["entities"]["user"]["unchanged"] == 11


async def test_a_broken_package_changes_nothing_and_lists_every_problem_by_line(
    client: httpx.AsyncClient, app: FastAPI, demo: DemoSummary
) -> None:
    admin = await login(client, "admin@demo.test")
    files = texts("bulk")
    files["users.csv"] = files["users.csv"].replace(b"t-alan,,,true", b"t-alan,,,True")
    files["enrollments.csv"] += b"e-ghost,,,cls-alg1-p1,org-hs,nobody,student,false,,\r\n"
    files["classes.csv"] = files["classes.csv"].replace(b",scheduled,Lab 2", b",Scheduled,Lab 2")
    files["orgs.csv"] = files["orgs.csv"].replace(b"sourcedId,status", b"SourcedId,status")
    outcome = await import_outcome(client, app, admin, zipped(files))
    assert outcome["state"] == "failed", outcome
    assert outcome["report"] is None
    body = outcome["problem"]
    assert body["code"] == "invalid"
    assert "nothing was changed" in body["detail"]
    locs = {tuple(e["loc"]): e["msg"] for e in body["errors"]}
    assert ("users.csv", 4, "enabledUser") in locs
    assert "case-sensitive" in locs[("users.csv", 4, "enabledUser")]
    assert ("enrollments.csv", 13, "userSourcedId") in locs
    assert ("classes.csv", 4, "classType") in locs
    assert ("orgs.csv", 1, "sourcedId") in locs
    people = await client.get("/api/v1/people", params={"q": "t-ada"}, headers=admin)
    assert people.json()["items"] == []


async def test_lenient_mode_accepts_a_named_quirk_with_a_warning(
    client: httpx.AsyncClient, app: FastAPI, demo: DemoSummary
) -> None:
    admin = await login(client, "admin@demo.test")
    files = texts("bulk")
    files["users.csv"] = files["users.csv"].replace(b"t-alan,,,true", b"t-alan,,,True")
    strict = await import_outcome(client, app, admin, zipped(files))
    assert strict["state"] == "failed"
    outcome = await import_outcome(client, app, admin, zipped(files), lenient=True)
    assert outcome["state"] == "succeeded", outcome
    report = outcome["report"]
    (warning,) = [w for w in report["warnings"] if w["loc"][0] == "users.csv"]
    assert warning["loc"] == ["users.csv", 4, "enabledUser"]
    assert "'True' read as 'true'" in warning["msg"]
    assert report["dry_run"] is False


async def test_a_dry_run_reports_and_changes_nothing(
    client: httpx.AsyncClient, app: FastAPI, demo: DemoSummary
) -> None:
    admin = await login(client, "admin@demo.test")
    outcome = await import_outcome(client, app, admin, package("bulk"), dry_run=True)
    assert outcome["state"] == "succeeded", outcome
    assert outcome["dry_run"] is True
    assert outcome["report"]["dry_run"] is True
    assert outcome["report"]["entities"]["user"]["created"] == 11
    people = await client.get("/api/v1/people", params={"q": "t-ada"}, headers=admin)
    assert people.json()["items"] == []
