"""One session cancelled by hand, with a reason: it ends without absences or alerts, the board
and its students are told, and the closing sweep leaves it alone."""

from __future__ import annotations

from datetime import timedelta

import httpx
from fastapi import FastAPI

from edtech.attendance.public import close_due_sessions
from tests.integration.attendance.helpers import School, Socket, session_of
from tests.integration.calendar.helpers import absence_events, ids, rows
from tests.roster import login


async def test_a_teacher_cancels_a_session_with_a_reason_and_nobody_is_marked_absent(
    client: httpx.AsyncClient, live_server: object, school: School, app: FastAPI
) -> None:
    teacher = await login(client, "teacher1@demo.test")
    student = await login(client, "student1@demo.test")
    guardian = await login(client, "guardian1@demo.test")
    session = await session_of(client, teacher, school.s01)
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
            f"/api/v1/attendance/sessions/{session['id']}/cancel",
            json={"reason": "  Field trip to the museum  "},
            headers=teacher,
        )
        assert r.status_code == 200, r.text
        assert r.json()["state"] == "cancelled"
        assert r.json()["cancel_reason"] == "Field trip to the museum"

        told = await board.event("attendance.session_cancelled")
        assert told["data"]["session_id"] == session["id"]
        assert told["data"]["reason"] == "Field trip to the museum"
        assert told["data"]["by_hand"] is True
        assert "recipients" not in told["data"]
        mine = await inbox.event("attendance.session_cancelled")
        assert mine["data"]["session_id"] == session["id"]

        snapshot = await client.get(
            f"/api/v1/attendance/sessions/{session['id']}/board", headers=teacher
        )
        assert snapshot.json()["session"]["state"] == "cancelled"

        # The evening sweep closes the other sessions, never this one: no absence, no alert.
        school.clock.advance(timedelta(hours=14))
        await close_due_sessions(app.state.services)
        after = await client.get(f"/api/v1/attendance/sessions/{session['id']}", headers=teacher)
        assert after.json()["state"] == "cancelled"
        marked = await rows(
            app, "SELECT session_id FROM attendance_mark WHERE official_code IS NOT NULL"
        )
        assert session["id"] not in ids([m[0] for m in marked])
        assert session["id"] not in {str(e["session_id"]) for e in await absence_events(app)}
        await family.quiet(0.3)
        cancelled_here = [
            e
            for e in family.events
            if e["type"] == "attendance.absence_reported"
            and e["data"]["session_id"] == session["id"]
        ]
        assert cancelled_here == []

        again = await client.post(
            f"/api/v1/attendance/sessions/{session['id']}/cancel",
            json={"reason": "Twice"},
            headers=teacher,
        )
        assert again.status_code == 409, again.text
        assert again.headers["content-type"].startswith("application/problem+json")
    finally:
        for ws in (board, inbox, family):
            await ws.close()


async def test_a_closed_session_cannot_be_cancelled_and_its_absences_stand(
    client: httpx.AsyncClient, school: School
) -> None:
    officer = await login(client, "officer@demo.test")
    session = await session_of(client, officer, school.s01)
    closed = await client.post(
        f"/api/v1/attendance/sessions/{session['id']}/close", headers=officer
    )
    assert closed.status_code == 200, closed.text
    r = await client.post(
        f"/api/v1/attendance/sessions/{session['id']}/cancel",
        json={"reason": "Too late"},
        headers=officer,
    )
    assert r.status_code == 409, r.text
    assert r.json()["state"] == "closed"
    after = await client.get(f"/api/v1/attendance/sessions/{session['id']}", headers=officer)
    assert after.json()["state"] == "closed"


async def test_a_cancellation_needs_a_bounded_reason_and_the_sections_teacher_or_the_office(
    client: httpx.AsyncClient, school: School
) -> None:
    teacher = await login(client, "teacher1@demo.test")
    session = await session_of(client, teacher, school.s01)
    url = f"/api/v1/attendance/sessions/{session['id']}/cancel"
    for body in ({}, {"reason": ""}, {"reason": "   "}, {"reason": "x" * 201}, {"reason": 7}):
        r = await client.post(url, json=body, headers=teacher)
        assert r.status_code == 422, (body, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
    for outsider in ("teacher2@demo.test", "guardian1@demo.test", "student1@demo.test"):
        r = await client.post(
            url, json={"reason": "Not mine"}, headers=await login(client, outsider)
        )
        assert r.status_code in (403, 404), (outsider, r.text)
    unchanged = await client.get(f"/api/v1/attendance/sessions/{session['id']}", headers=teacher)
    assert unchanged.json()["state"] in ("scheduled", "open")
    admin = await login(client, "admin@demo.test")
    r = await client.post(url, json={"reason": "x" * 200}, headers=admin)
    assert r.status_code == 200, r.text
