"""Thresholds per institution: read and set by its administrators within their ranges; a change
recomputes the institution's signals, and a level that changes reaches the counsellor live."""

from __future__ import annotations

from datetime import timedelta

import httpx
from fastapi import FastAPI

from edtech.attendance.public import close_due_sessions
from tests.integration.attendance.helpers import School, Socket
from tests.integration.insights.helpers import (
    drain_jobs,
    four_present_days,
    make_counsellor,
    student_event,
)
from tests.roster import login

DEFAULTS = {
    "chronic_absence_percent": 10,
    "consecutive_absent_days": 3,
    "failing_percent": 60,
    "grade_drop_points": 10,
    "missing_work": 3,
    "full_day_percent": 75,
    "half_day_percent": 25,
    "not_taken_after_minutes": 10,
    "guardians_see_signals": False,
}


async def test_only_institution_admins_read_and_set_thresholds_within_their_ranges(
    client: httpx.AsyncClient, school: School, other_institution: object
) -> None:
    admin = await login(client, "admin@demo.test")
    r = await client.get("/api/v1/insights/thresholds", headers=admin)
    assert r.status_code == 200, r.text
    assert r.json() == DEFAULTS
    for email in ("schooladmin@demo.test", "teacher1@demo.test", "guardian1@demo.test"):
        other = await login(client, email)
        assert (await client.get("/api/v1/insights/thresholds", headers=other)).status_code == 403
        put = await client.put(
            "/api/v1/insights/thresholds", json={"failing_percent": 50}, headers=other
        )
        assert put.status_code == 403, (email, put.text)
    for bad in (
        {"chronic_absence_percent": 0},
        {"failing_percent": 101},
        {"consecutive_absent_days": 1},
        {"missing_work": "many"},
        {"not_taken_after_minutes": 0},
        {"full_day_percent": 50, "half_day_percent": 60},  # half a day above a full one
        {"guardians_see_signals": "sometimes"},
    ):
        r = await client.put("/api/v1/insights/thresholds", json=bad, headers=admin)
        assert r.status_code == 422, (bad, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
    assert (await client.get("/api/v1/insights/thresholds", headers=admin)).json() == DEFAULTS
    r = await client.put(
        "/api/v1/insights/thresholds",
        json={"failing_percent": 50, "missing_work": 1},
        headers=admin,
    )
    assert r.status_code == 200, r.text
    assert r.json() == {**DEFAULTS, "failing_percent": 50, "missing_work": 1}
    assert (await client.get("/api/v1/insights/thresholds", headers=admin)).json() == r.json()
    # another institution keeps its own
    other = await login(client, "admin@other.test")
    assert (await client.get("/api/v1/insights/thresholds", headers=other)).json() == DEFAULTS


async def test_raising_the_chronic_percent_recomputes_and_lowers_a_signal_live(
    client: httpx.AsyncClient, live_server: object, school: School, app: FastAPI
) -> None:
    counsellor = await make_counsellor(client, school)
    await four_present_days(client, school, app)
    school.clock.advance(timedelta(minutes=30))  # S01 ends: student1 absent, 1 of 9 = 11.1 %
    assert await close_due_sessions(app.state.services) >= 1
    await drain_jobs(app)
    student1 = str(school.person("student1@demo.test"))
    signals = await client.get(
        "/api/v1/insights/signals", params={"student_id": student1}, headers=counsellor
    )
    levels = {s["indicator"]: s["level"] for s in signals.json()["items"]}
    assert levels == {"absence": "alert", "consecutive_absence": "none"}  # one day
    ws = await Socket.open(live_server.ws_url, counsellor)  # type: ignore[attr-defined]
    try:
        assert (await ws.subscribe(f"insights.school.{school.demo.school_ids[0]}"))["ok"]
        admin = await login(client, "admin@demo.test")
        r = await client.put(
            "/api/v1/insights/thresholds", json={"chronic_absence_percent": 25}, headers=admin
        )
        assert r.status_code == 200, r.text
        assert await drain_jobs(app) >= 1
        lowered = await ws.until(student_event(school, "none"))
        assert lowered["data"]["indicator"] == "absence"
        assert lowered["data"]["previous_level"] == "alert"
        assert lowered["data"]["evidence"].endswith("(1 of 9)")
        # The scorer and the measures judge chronic absence by the same threshold.
        features = await client.get(
            f"/api/v1/insights/features/schools/{school.demo.school_ids[0]}", headers=admin
        )
        row = next(i for i in features.json()["items"] if i["student_id"] == student1)
        assert (row["days_absent"], row["days_enrolled"]) == (1.0, 5)  # 20 % of days
        assert row["score_level"] == "none"
        assert row["score_reasons"][0] == "20 % of enrolled days missed (1 of 5)"
        measures = await client.get(
            f"/api/v1/insights/attendance/schools/{school.demo.school_ids[0]}", headers=admin
        )
        assert measures.json()["summary"]["chronic_percent"] == 25
    finally:
        await ws.close()
