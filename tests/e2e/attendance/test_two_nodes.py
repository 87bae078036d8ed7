"""Two nodes sharing PostgreSQL and Redis: a scan posted to node A reaches teacher1's board
subscription on node B, late by the right number of minutes."""

from __future__ import annotations

import math
import time
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import httpx
import pytest

from edtech.app import create_app
from edtech.kernel.clock import FixedClock
from edtech.settings import Settings
from tests import databases
from tests.integration.attendance.conftest import School, Socket, scan, session_of
from tests.roster import login
from tests.servers import TEST_SECRET, LiveServer
from tests.services import need

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

RELAY_GRACE_SECONDS = 2.0


@pytest.fixture
async def settings(request: pytest.FixtureRequest, e2e_broker_url: str) -> Settings:
    """PostgreSQL (emptied) and the Redis broker, shared by both nodes."""
    need("PostgreSQL")
    url: str = request.getfixturevalue("postgres_database")
    await databases.truncate_all(url)
    return Settings(
        database_url=url,
        broker_url=e2e_broker_url,
        secret_key=TEST_SECRET,
        log_json=True,
        log_level="WARNING",
        background_jobs=False,
        # Tokens are issued at the fixed school time but checked by the hub at the real time.
        access_token_ttl_seconds=2 * 24 * 3600,
    )


@pytest.fixture
async def nodes(settings: Settings, clock: FixedClock) -> AsyncIterator[list[LiveServer]]:
    """node-a and node-b: two real uvicorn servers, each its own app on the same stores."""
    servers: list[LiveServer] = []
    try:
        for name in ("node-a", "node-b"):
            app = create_app(settings.model_copy(update={"node_name": name}), clock=clock)
            app.state.realtime.settings.relay_grace_seconds = RELAY_GRACE_SECONDS
            server = LiveServer(app)
            await server.start()
            servers.append(server)
        yield servers
    finally:
        for server in servers:
            await server.stop()


async def test_scan_on_node_a_reaches_teachers_board_on_node_b_as_late_with_minutes(
    nodes: list[LiveServer], school: School
) -> None:
    node_a, node_b = nodes
    async with (
        httpx.AsyncClient(base_url=node_a.url, timeout=30) as a,
        httpx.AsyncClient(base_url=node_b.url, timeout=30) as b,
    ):
        teacher = await login(b, "teacher1@demo.test")
        session = await session_of(b, teacher, school.s01)
        starts_at = datetime.fromisoformat(session["starts_at"])
        grace = timedelta(minutes=session["grace_minutes"])
        # Past the grace period, well before the late cut-off; not on a whole minute.
        scanned_at = starts_at + grace + timedelta(minutes=3, seconds=41)
        expected_minutes = math.floor((scanned_at - starts_at).total_seconds() / 60)
        assert expected_minutes == session["grace_minutes"] + 3

        ws = await Socket.open(node_b.ws_url, teacher)
        try:
            reply = await ws.subscribe(f"attendance.session.{session['id']}")
            assert reply["ok"], reply
            posted = await scan(a, ("two-nodes-1", "CARD-1", scanned_at))
            assert posted.status_code == 200, posted.text
            assert posted.json()["results"][0]["result"] == "recorded"
            posted_at = time.monotonic()
            event = await ws.event("attendance.scan_recorded")
            waited = time.monotonic() - posted_at
        finally:
            await ws.close()

    assert event["channel"] == f"attendance.session.{session['id']}"
    data = event["data"]
    assert data["session_id"] == session["id"]
    assert data["student_id"] == str(school.person("student1@demo.test"))
    assert datetime.fromisoformat(data["scanned_at"]) == scanned_at
    mark = data["mark"]
    assert (mark["category"], mark["official_code"], mark["source"]) == ("tardy", "T", "scan")
    assert mark["minutes_late"] == expected_minutes
    # Live through Redis, not the outbox relay's fallback (which waits its 2 s grace first).
    assert waited < RELAY_GRACE_SECONDS, f"the event took {waited:.2f} s"
