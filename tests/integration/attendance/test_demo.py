"""The demo: seeding is idempotent, and the scanner replay fills the boards over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from edtech.attendance.public import replay_scanner, seed_demo
from edtech.platform.db.engine import make_engine, make_session_factory
from edtech.settings import Settings
from tests.integration.attendance.helpers import SCHOOL_ZONE, School, school_time
from tests.roster import login


async def test_seeding_twice_adds_nothing(settings: Settings, school: School) -> None:
    engine = make_engine(settings.database_url)
    try:
        again = await seed_demo(make_session_factory(engine), school.demo, clock=school.clock)
    finally:
        await engine.dispose()
    assert again["sessions"] == 0


def before_the_first_period(school: School) -> None:
    """06:30 at the school today: no demo section meets (periods run from 08:00), so the
    replay starts a fresh session for each, whatever the hour the test runs at."""
    school.clock.advance(school_time(6, 30) - school.clock.now())


async def sessions_around_now(client: httpx.AsyncClient, auth: dict[str, str]) -> list[Any]:
    """Sessions dated yesterday, today and tomorrow (UTC): fresh ones carry the school's date."""
    now = datetime.now(UTC)
    items: list[Any] = []
    for shift in (-1, 0, 1):
        day = (now + timedelta(days=shift)).date().isoformat()
        r = await client.get("/api/v1/attendance/sessions", params={"date": day}, headers=auth)
        items.extend(r.json()["items"])
    return items


async def test_the_scanner_replay_marks_every_demo_student(
    client: httpx.AsyncClient, live_server: Any, school: School
) -> None:
    before_the_first_period(school)
    lines: list[str] = []
    counts = await replay_scanner(
        live_server.url, students=12, pace=0, say=lines.append, now=school.clock.now
    )
    assert counts == {"recorded": 12}
    assert sum("tardy, 10 min late" in line for line in lines) == 4, lines
    made = {line.split()[1] for line in lines if line.startswith("session ")}
    assert len(made) == 3  # one fresh session per demo section
    officer = await login(client, "officer@demo.test")
    fresh = [s for s in await sessions_around_now(client, officer) if s["id"] in made]
    assert len(fresh) == 3
    for s in fresh:  # each dated by the school's calendar, whatever the hour in UTC
        local = datetime.fromisoformat(s["starts_at"]).astimezone(SCHOOL_ZONE).date()
        assert s["day"] == local.isoformat()


async def test_a_second_replay_reuses_the_running_sessions_and_marks_nobody_twice(
    client: httpx.AsyncClient, live_server: Any, school: School
) -> None:
    before_the_first_period(school)
    officer = await login(client, "officer@demo.test")
    first = await replay_scanner(
        live_server.url, students=12, pace=0, say=lambda _: None, now=school.clock.now
    )
    assert first == {"recorded": 12}
    after_first = len(await sessions_around_now(client, officer))
    school.clock.advance(timedelta(minutes=1))  # a replay a minute later: new scan ids
    again = await replay_scanner(
        live_server.url, students=12, pace=0, say=lambda _: None, now=school.clock.now
    )
    assert again == {"already_marked": 12}
    assert len(await sessions_around_now(client, officer)) == after_first
