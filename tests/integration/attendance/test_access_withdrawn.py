"""A teacher who leaves a section stops hearing its boards at once, without reconnecting."""

from __future__ import annotations

import httpx

from tests.integration.attendance.helpers import (
    School,
    Socket,
    scan,
    school_time,
    session_of,
    token_of,
)
from tests.roster import login


async def test_a_teacher_taken_off_the_section_is_unsubscribed_from_its_board_live(
    client: httpx.AsyncClient, live_server: object, school: School
) -> None:
    teacher = await login(client, "teacher1@demo.test")
    officer = await login(client, "officer@demo.test")
    admin = await login(client, "admin@demo.test")
    session = await session_of(client, teacher, school.s01)
    channel = f"attendance.session.{session['id']}"
    url = live_server.ws_url  # type: ignore[attr-defined]
    teacher_ws, officer_ws = await Socket.open(url, teacher), await Socket.open(url, officer)
    try:
        assert (await teacher_ws.subscribe(channel))["ok"]
        assert (await officer_ws.subscribe(channel))["ok"]
        await scan(client, ("w-1", "CARD-1", school_time(8, 1)))
        await teacher_ws.event("attendance.scan_recorded")

        enrollments = await client.get(
            "/api/v1/enrollments",
            params={"section_id": str(school.s01), "role": "teacher"},
            headers=admin,
        )
        mine = [
            e
            for e in enrollments.json()["items"]
            if e["person_id"] == str(school.person("teacher1@demo.test"))
        ]
        assert len(mine) == 1, enrollments.text
        ended = await client.delete(f"/api/v1/enrollments/{mine[0]['id']}", headers=admin)
        assert ended.status_code == 204, ended.text

        notice = await teacher_ws.until(lambda f: f.get("op") == "unsubscribed")
        assert notice["channel"] == channel
        assert notice["error"]["code"] == "forbidden"
        seen = len(teacher_ws.events)
        student = school.person("student1@demo.test")
        marked = await client.put(
            f"/api/v1/attendance/sessions/{session['id']}/marks/{student}",
            json={"code": "E", "version": 1, "reason": "doctor"},
            headers=officer,
        )
        assert marked.status_code == 200, marked.text
        # the officer still hears the board; the former teacher does not
        await officer_ws.event("attendance.mark_changed")
        await teacher_ws.quiet(0.5)
        assert len(teacher_ws.events) == seen
        assert (await teacher_ws.subscribe(channel))["ok"] is False
    finally:
        await teacher_ws.close()
        await officer_ws.close()


async def test_a_refresh_after_losing_the_role_ends_the_subscriptions_it_allowed(
    client: httpx.AsyncClient, live_server: object, school: School
) -> None:
    officer = await login(client, "officer@demo.test")
    admin = await login(client, "admin@demo.test")
    session = await session_of(client, officer, school.s01)
    channel = f"attendance.session.{session['id']}"
    ws = await Socket.open(live_server.ws_url, officer)  # type: ignore[attr-defined]
    try:
        assert (await ws.subscribe(channel))["ok"]
        assert (await ws.subscribe(f"user.{school.person('officer@demo.test')}"))["ok"]
        person = school.person("officer@demo.test")
        roles = (await client.get(f"/api/v1/people/{person}/roles", headers=admin)).json()
        (role,) = [r for r in roles if r["role"] == "attendance_officer"]
        ended = await client.post(f"/api/v1/people/{person}/roles/{role['id']}/end", headers=admin)
        assert ended.status_code == 200, ended.text

        fresh = await login(client, "officer@demo.test")
        await ws.ws.send(f'{{"op": "refresh", "ref": "r1", "token": "{token_of(fresh)}"}}')
        reply = await ws.until(lambda f: f.get("op") == "reply" and f.get("ref") == "r1")
        assert reply["ok"], reply
        notice = await ws.until(lambda f: f.get("op") == "unsubscribed")
        assert notice["channel"] == channel  # the board went; the person's own inbox stays
        await ws.quiet(0.3)
        assert (await ws.subscribe(channel))["ok"] is False
    finally:
        await ws.close()
