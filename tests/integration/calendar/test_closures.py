"""A closure declared for today cancels the day's sessions: no absences, no alerts, and the
boards (and each student) are told."""

from __future__ import annotations

from datetime import timedelta

import httpx
from fastapi import FastAPI

from edtech.attendance.public import close_due_sessions
from tests.integration.attendance.helpers import (
    SCHOOL_ZONE,
    School,
    Socket,
    school_time,
    session_of,
)
from tests.integration.calendar.helpers import absence_events, ids, rows
from tests.roster import login


async def test_a_snow_day_declared_at_six_cancels_the_days_sessions_without_absences_or_alerts(
    client: httpx.AsyncClient, live_server: object, school: School, app: FastAPI
) -> None:
    admin = await login(client, "admin@demo.test")
    school_id = school.demo.school_ids[0]
    teacher = await login(client, "teacher1@demo.test")
    student = await login(client, "student1@demo.test")
    guardian = await login(client, "guardian1@demo.test")
    session = await session_of(client, teacher, school.s01)
    planned = await rows(
        app,
        "SELECT id, school_id FROM attendance_session WHERE state = 'scheduled'",
    )
    planned = [p for p in planned if str(p[1]).replace("-", "") == school_id.hex]
    assert planned, "the morning's sessions are planned"
    ws_url = live_server.ws_url  # type: ignore[attr-defined]
    board, inbox, family = (
        await Socket.open(ws_url, teacher),
        await Socket.open(ws_url, student),
        await Socket.open(ws_url, guardian),
    )
    try:
        assert (await board.subscribe(f"attendance.session.{session['id']}"))["ok"]
        assert (await inbox.subscribe(f"user.{school.person('student1@demo.test')}"))["ok"]
        assert (await family.subscribe(f"user.{school.person('guardian1@demo.test')}"))["ok"]

        r = await client.post(
            "/api/v1/calendar/days",
            json={"kind": "closure", "reason": "Snow day", "school_id": str(school_id)},
            headers=admin,
        )
        assert r.status_code == 201, r.text
        declared = r.json()
        # The day is today at the school (06:00 in New York), whatever the UTC date is.
        assert declared["day"] == school_time(6, 0).astimezone(SCHOOL_ZONE).date().isoformat()
        assert declared["cancelled_sessions"] == len(planned)

        told = await board.event("attendance.session_cancelled")
        assert told["data"]["reason"] == "Snow day"
        assert told["data"]["session_id"] == session["id"]
        mine = await inbox.event("attendance.session_cancelled")
        assert mine["data"]["section_id"] == str(school.s01)

        # The board says so over REST too.
        snapshot = await client.get(
            f"/api/v1/attendance/sessions/{session['id']}/board", headers=teacher
        )
        assert snapshot.json()["session"]["state"] == "cancelled"
        assert snapshot.json()["session"]["cancel_reason"] == "Snow day"

        # The evening sweep closes only the other school's sessions: at the closed school no
        # one is marked absent and no guardian is alerted.
        school.clock.advance(timedelta(hours=14))
        others = await rows(
            app, "SELECT count(*) FROM attendance_session WHERE state = 'scheduled'"
        )
        assert await close_due_sessions(app.state.services) == others[0][0]
        cancelled = ids([p[0] for p in planned])
        marked = await rows(
            app, "SELECT session_id FROM attendance_mark WHERE official_code IS NOT NULL"
        )
        assert not ids([m[0] for m in marked]) & cancelled
        assert not {str(e["session_id"]) for e in await absence_events(app)} & cancelled
        await family.quiet(0.3)
        assert [e["type"] for e in family.events] == []

        # Planning the day again makes nothing: the calendar says the school is closed.
        officer = await login(client, "officer@demo.test")
        again = await client.post(
            "/api/v1/attendance/sessions/plan", json={"first": declared["day"]}, headers=officer
        )
        assert again.status_code == 201, again.text
        assert again.json()["created"] == []
    finally:
        for ws in (board, inbox, family):
            await ws.close()


async def test_only_administrators_declare_days_and_a_past_day_is_refused(
    client: httpx.AsyncClient, school: School
) -> None:
    teacher = await login(client, "teacher1@demo.test")
    school_id = str(school.demo.school_ids[0])
    r = await client.post(
        "/api/v1/calendar/days",
        json={"kind": "holiday", "reason": "Mine", "school_id": school_id},
        headers=teacher,
    )
    assert r.status_code == 403, r.text
    admin = await login(client, "admin@demo.test")
    yesterday = (school_time(6, 0).astimezone(SCHOOL_ZONE).date() - timedelta(days=1)).isoformat()
    r = await client.post(
        "/api/v1/calendar/days",
        json={"kind": "holiday", "reason": "Too late", "day": yesterday, "school_id": school_id},
        headers=admin,
    )
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    first = {"kind": "holiday", "reason": "Founders' day", "school_id": school_id}
    assert (
        await client.post("/api/v1/calendar/days", json=first, headers=admin)
    ).status_code == 201
    twice = await client.post("/api/v1/calendar/days", json=first, headers=admin)
    assert twice.status_code == 409, twice.text
