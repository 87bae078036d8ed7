""" "Attendance not taken": ten minutes after a period starts with nobody marked, its teachers
and the attendance office are told in their own inboxes, once; a started register or a
cancelled session is never alerted."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from edtech.insights.slice import alert_not_taken
from tests.integration.attendance.helpers import School, Socket, scan, school_time, session_of
from tests.integration.calendar.helpers import ids, rows
from tests.roster import login

EVENT = "insights.attendance_not_taken"


async def alerted(app: FastAPI) -> set[str]:
    return ids([r[0] for r in await rows(app, "SELECT session_id FROM attendance_not_taken_alert")])


async def events(app: FastAPI) -> list[dict[str, Any]]:
    found = await rows(app, "SELECT data FROM outbox_event WHERE type = :t", t=EVENT)
    return [d if isinstance(d, dict) else json.loads(d) for (d,) in found]


async def test_a_register_nobody_started_alerts_its_teacher_and_the_office_once(
    client: httpx.AsyncClient, live_server: object, school: School, app: FastAPI
) -> None:
    teacher = await login(client, "teacher1@demo.test")
    officer = await login(client, "officer@demo.test")
    s01 = await session_of(client, teacher, school.s01)  # 08:00, now 08:20: nobody marked
    ws_url = live_server.ws_url  # type: ignore[attr-defined]
    inbox, office = await Socket.open(ws_url, teacher), await Socket.open(ws_url, officer)
    try:
        assert (await inbox.subscribe(f"user.{school.person('teacher1@demo.test')}"))["ok"]
        assert (await office.subscribe(f"user.{school.person('officer@demo.test')}"))["ok"]

        assert await alert_not_taken(app.state.services) >= 1
        assert s01["id"] in await alerted(app)
        told = await inbox.until(
            lambda f: f.get("type") == EVENT and f["data"]["session_id"] == s01["id"]
        )
        assert told["data"]["section_id"] == str(school.s01)
        assert told["data"]["minutes"] == 20
        assert "teachers" not in told["data"]
        assert "office" not in told["data"]
        await office.until(
            lambda f: f.get("type") == EVENT and f["data"]["session_id"] == s01["id"]
        )

        # Once: the next pass (and every node's) finds it already alerted.
        before = len(await events(app))
        assert await alert_not_taken(app.state.services) == 0
        assert len(await events(app)) == before
    finally:
        await inbox.close()
        await office.close()


async def test_one_mark_or_a_cancellation_means_no_alert_and_a_period_under_way_waits(
    client: httpx.AsyncClient, school: School, app: FastAPI
) -> None:
    teacher = await login(client, "teacher1@demo.test")
    s01 = await session_of(client, teacher, school.s01)
    # student1 tapped in at 08:05: S01's register is started.
    tapped = await scan(client, ("tap-1", "CARD-1", school_time(8, 5)))
    assert tapped.status_code == 200, tapped.text
    await alert_not_taken(app.state.services)
    assert s01["id"] not in await alerted(app)

    # Nothing else of the school is alerted once the day is closed (a snow day at 08:20).
    admin = await login(client, "admin@demo.test")
    school_id = school.demo.school_ids[0]
    closed = await client.post(
        "/api/v1/calendar/days",
        json={"kind": "closure", "reason": "Burst pipe", "school_id": str(school_id)},
        headers=admin,
    )
    assert closed.status_code == 201, closed.text
    school.clock.advance(timedelta(hours=3))
    await alert_not_taken(app.state.services)
    cancelled = ids(
        [
            r[0]
            for r in await rows(app, "SELECT id FROM attendance_session WHERE state = 'cancelled'")
        ]
    )
    assert cancelled
    assert not cancelled & await alerted(app)


async def test_a_period_that_started_less_than_ten_minutes_ago_is_not_alerted_yet(
    client: httpx.AsyncClient, school: School, app: FastAPI
) -> None:
    # The clock is 08:20: sessions starting after 08:10 are still within their ten minutes.
    officer = await login(client, "officer@demo.test")
    listed = await client.get(
        "/api/v1/attendance/sessions",
        params={"date": school_time(8, 20).date().isoformat(), "limit": 200},
        headers=officer,
    )
    assert listed.status_code == 200, listed.text
    sessions = listed.json()["items"]
    cutoff = school_time(8, 10)
    assert any(datetime.fromisoformat(s["starts_at"]) > cutoff for s in sessions)
    await alert_not_taken(app.state.services)
    done = await alerted(app)
    for s in sessions:
        due = datetime.fromisoformat(s["starts_at"]) <= cutoff
        assert (s["id"] in done) is due, s


async def test_the_institution_sets_how_long_an_empty_register_waits(
    client: httpx.AsyncClient, school: School, app: FastAPI
) -> None:
    teacher = await login(client, "teacher1@demo.test")
    s01 = await session_of(client, teacher, school.s01)  # 08:00, now 08:20: nobody marked
    admin = await login(client, "admin@demo.test")
    r = await client.put(
        "/api/v1/insights/thresholds", json={"not_taken_after_minutes": 30}, headers=admin
    )
    assert r.status_code == 200, r.text
    await alert_not_taken(app.state.services)
    assert s01["id"] not in await alerted(app)  # 20 minutes: not yet
    school.clock.advance(timedelta(minutes=10))
    await alert_not_taken(app.state.services)
    assert s01["id"] in await alerted(app)
    told = [e["minutes"] for e in await events(app) if e["session_id"] == s01["id"]]
    assert told
    assert set(told) == {30}
