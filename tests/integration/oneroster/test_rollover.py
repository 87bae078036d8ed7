"""Year-end rollover: preview first, then the year's enrollments and student/teacher roles end
on the date and students move up a grade; guardians keep their children."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from edtech.demo import DemoSummary
from tests.integration.oneroster.helpers import imported, package, person_id, school_year
from tests.roster import login

ROLLOVER = "/api/v1/roster/rollover"


async def _school_year(client: httpx.AsyncClient, auth: dict[str, str]) -> dict[str, Any]:
    r = await client.get("/api/v1/terms", params={"limit": 200}, headers=auth)
    assert r.status_code == 200, r.text
    y0, y1 = school_year()
    (year,) = [t for t in r.json()["items"] if t["title"] == f"{y0}-{y1} School Year"]
    assert year["kind"] == "school_year"
    return dict(year)


async def _person(client: httpx.AsyncClient, auth: dict[str, str], sid: str) -> dict[str, Any]:
    r = await client.get(f"/api/v1/people/{await person_id(client, auth, sid)}", headers=auth)
    assert r.status_code == 200, r.text
    return dict(r.json())


async def test_a_preview_changes_nothing_and_the_rollover_ends_the_year_and_promotes(
    client: httpx.AsyncClient, app: FastAPI, demo: DemoSummary
) -> None:
    admin = await login(client, "admin@demo.test")
    await imported(client, app, admin, package("bulk"))
    year = await _school_year(client, admin)
    on = date(school_year()[1], 6, 20)
    body = {"school_year_id": year["id"], "on": on.isoformat()}

    preview = await client.post(ROLLOVER, json=body, headers=admin)
    assert preview.status_code == 200, preview.text
    counts = preview.json()
    assert counts["dry_run"] is True
    assert counts["enrollments_ended"] == 11
    assert counts["roles_ended"] == 8  # 3 teachers, 5 students; parents and guardians keep theirs
    assert counts["promoted"] == {"07→08": 1, "09→10": 3, "10→11": 1}
    assert counts["graduating"] == 0
    maya = await _person(client, admin, "s-1")
    assert maya["grade_level"] == "09"  # the preview changed nothing

    done = await client.post(ROLLOVER, json={**body, "dry_run": False}, headers=admin)
    assert done.status_code == 200, done.text
    assert {k: v for k, v in done.json().items() if k != "dry_run"} == {
        k: v for k, v in counts.items() if k != "dry_run"
    }
    assert (await _person(client, admin, "s-1"))["grade_level"] == "10"
    r = await client.get(
        "/api/v1/enrollments", params={"person_id": maya["id"], "limit": 200}, headers=admin
    )
    assert r.json()["items"], r.text
    assert all(e["ends_on"] == on.isoformat() for e in r.json()["items"])
    # a second run finds nothing open any more, and promotes no one twice
    again = await client.post(ROLLOVER, json={**body, "dry_run": False}, headers=admin)
    assert again.json()["enrollments_ended"] == 0
    assert again.json()["promoted"] == {}
    assert (await _person(client, admin, "s-1"))["grade_level"] == "10"


async def test_only_a_school_year_of_ones_own_rolls_over_and_only_for_admins(
    client: httpx.AsyncClient, app: FastAPI, demo: DemoSummary
) -> None:
    admin = await login(client, "admin@demo.test")
    await imported(client, app, admin, package("bulk"))
    year = await _school_year(client, admin)
    on = (date.today() + timedelta(days=200)).isoformat()
    r = await client.get("/api/v1/terms", params={"limit": 200}, headers=admin)
    term = next(t for t in r.json()["items"] if t["parent_id"] == year["id"])
    refused = await client.post(
        ROLLOVER, json={"school_year_id": term["id"], "on": on}, headers=admin
    )
    assert refused.status_code == 422, refused.text
    teacher = await login(client, "teacher1@demo.test")
    forbidden = await client.post(ROLLOVER, json={"nonsense": True}, headers=teacher)
    assert forbidden.status_code == 403, forbidden.text
    missing = await client.post(
        ROLLOVER,
        json={"school_year_id": demo.institution_id.hex, "on": on},  # not a session id
        headers=admin,
    )
    assert missing.status_code == 404, missing.text
    assert year["kind"] == "school_year"
