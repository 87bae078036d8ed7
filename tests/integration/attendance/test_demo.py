"""The demo: seeding is idempotent, and the scanner replay fills the boards over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from edtech.attendance.public import replay_scanner, seed_demo
from edtech.platform.db.engine import make_engine, make_session_factory
from edtech.settings import Settings
from tests.integration.attendance.conftest import School
from tests.roster import login


async def test_seeding_twice_adds_nothing(settings: Settings, school: School) -> None:
    engine = make_engine(settings.database_url)
    try:
        again = await seed_demo(make_session_factory(engine), school.demo, clock=school.clock)
    finally:
        await engine.dispose()
    assert again["sessions"] == 0


async def test_the_scanner_replay_marks_every_demo_student(
    client: httpx.AsyncClient, live_server: Any, school: School
) -> None:
    school.clock.advance(datetime.now(UTC) - school.clock.now())  # the replay uses real time
    lines: list[str] = []
    counts = await replay_scanner(live_server.url, students=12, pace=0, say=lines.append)
    assert counts == {"recorded": 12}
    assert sum("tardy, 10 min late" in line for line in lines) == 4
    officer = await login(client, "officer@demo.test")
    today = datetime.now(UTC).date().isoformat()
    sessions = (
        await client.get("/api/v1/attendance/sessions", params={"date": today}, headers=officer)
    ).json()
    assert sessions["total"] >= 6  # three planned for the day plus one fresh per section


async def test_a_second_replay_reuses_the_running_sessions_and_marks_nobody_twice(
    client: httpx.AsyncClient, live_server: Any, school: School
) -> None:
    school.clock.advance(datetime.now(UTC) - school.clock.now())  # the replay uses real time
    officer = await login(client, "officer@demo.test")
    today = datetime.now(UTC).date().isoformat()

    async def sessions() -> int:
        r = await client.get("/api/v1/attendance/sessions", params={"date": today}, headers=officer)
        total: int = r.json()["total"]
        return total

    assert await replay_scanner(live_server.url, students=12, pace=0, say=lambda _: None) == {
        "recorded": 12
    }
    after_first = await sessions()
    again = await replay_scanner(live_server.url, students=12, pace=0, say=lambda _: None)
    assert again == {"already_marked": 12}
    assert await sessions() == after_first
