"""A student crossing 10 % absence through a closing raises a signal with its evidence on the
counsellor's socket, live; an approved note that brings them back under lowers it."""

from __future__ import annotations

from datetime import timedelta

import httpx
from fastapi import FastAPI

from edtech.attendance.public import close_due_sessions
from tests.integration.attendance.helpers import SCHOOL_ZONE, School, Socket, session_of
from tests.integration.insights.helpers import (
    drain_jobs,
    four_present_days,
    make_counsellor,
    student_event,
)
from tests.roster import login


async def test_crossing_ten_percent_on_a_closing_alerts_the_counsellor_and_an_excuse_lowers_it(
    client: httpx.AsyncClient, live_server: object, school: School, app: FastAPI
) -> None:
    counsellor = await make_counsellor(client, school)
    await four_present_days(client, school, app)
    await drain_jobs(app)  # 0 of 8 missed: no signal raised
    signals = await client.get(
        "/api/v1/insights/signals",
        params={"student_id": str(school.person("student1@demo.test"))},
        headers=counsellor,
    )
    assert signals.status_code == 200, signals.text
    levels = {s["indicator"]: s["level"] for s in signals.json()["items"]}
    assert levels == {"absence": "none", "consecutive_absence": "none"}

    teacher = await login(client, "teacher1@demo.test")
    today_s01 = await session_of(client, teacher, school.s01)
    ws = await Socket.open(live_server.ws_url, counsellor)  # type: ignore[attr-defined]
    try:
        reply = await ws.subscribe(f"insights.school.{school.demo.school_ids[0]}")
        assert reply["ok"], reply

        # S01 ends at 08:45 with student1 never scanned: absent, 1 of 9 sessions = 11.1 %.
        school.clock.advance(timedelta(minutes=30))
        assert await close_due_sessions(app.state.services) >= 1
        await drain_jobs(app)
        raised = await ws.until(student_event(school, "alert"))
        data = raised["data"]
        assert (data["missed"], data["counted"], data["previous_level"]) == (1, 9, "none")
        assert data["missed_sessions"] == [today_s01["id"]]
        assert data["evidence"].startswith("11.1 % of sessions missed without excuse since ")
        assert data["evidence"].endswith("(1 of 9)")

        # guardian1's note for today, approved: the absence is excused, 0 of 9, lowered.
        guardian = await login(client, "guardian1@demo.test")
        day = school.clock.now().astimezone(SCHOOL_ZONE).date().isoformat()
        note = await client.post(
            "/api/v1/attendance/excuses",
            json={
                "student_id": str(school.person("student1@demo.test")),
                "starts_on": day,
                "ends_on": day,
                "reason": "Fever",
            },
            headers=guardian,
        )
        assert note.status_code == 201, note.text
        officer = await login(client, "officer@demo.test")
        decided = await client.post(
            f"/api/v1/attendance/excuses/{note.json()['id']}/decision",
            json={"approve": True},
            headers=officer,
        )
        assert decided.status_code == 200, decided.text
        await drain_jobs(app)
        lowered = await ws.until(student_event(school, "none"))
        assert (lowered["data"]["missed"], lowered["data"]["previous_level"]) == (0, "alert")
    finally:
        await ws.close()


async def test_only_the_schools_counsellors_and_administrators_follow_its_signals(
    client: httpx.AsyncClient, live_server: object, school: School
) -> None:
    await make_counsellor(client, school)
    channel = f"insights.school.{school.demo.school_ids[0]}"
    # A teacher lists the signals of their own sections' students (test_section_signals.py),
    # never the school's channel; guardians only where the institution shares them.
    for email, follows, lists in (
        ("teacher4@demo.test", True, True),
        ("admin@demo.test", True, True),
        ("teacher1@demo.test", False, True),
        ("guardian1@demo.test", False, False),
        ("student1@demo.test", False, False),
    ):
        auth = await login(client, email)
        ws = await Socket.open(live_server.ws_url, auth)  # type: ignore[attr-defined]
        try:
            assert (await ws.subscribe(channel))["ok"] is follows, email
        finally:
            await ws.close()
        listed = await client.get("/api/v1/insights/signals", headers=auth)
        assert (listed.status_code == 200) is lists, (email, listed.text)
