"""Two nodes sharing PostgreSQL and Redis: fan-out across nodes, and a Redis restart."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from edtech.settings import Settings
from tests import databases
from tests.conftest import TEST_SECRET, LiveServer
from tests.e2e.realtime.conftest import realtime_app
from tests.integration.realtime.support import (
    Client,
    RedisProcess,
    commit_posts,
    new_room,
    token_for,
)
from tests.services import need

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture
async def pg_url(request: pytest.FixtureRequest) -> str:
    need("PostgreSQL")
    url: str = request.getfixturevalue("postgres_database")
    await databases.truncate_all(url)
    return url


@pytest.fixture
async def redis_process() -> AsyncIterator[RedisProcess]:
    proc = RedisProcess()
    await proc.start()
    try:
        yield proc
    finally:
        await proc.kill()


@pytest.fixture
async def nodes(pg_url: str, redis_process: RedisProcess) -> AsyncIterator[list[LiveServer]]:
    servers = []
    for name in ("node-a", "node-b"):
        app = realtime_app(
            Settings(
                database_url=pg_url,
                broker_url=redis_process.url,
                secret_key=TEST_SECRET,
                node_name=name,
                log_json=True,
                log_level="WARNING",
            )
        )
        rt = app.state.realtime
        rt.settings.relay_grace_seconds = 0.5
        rt.settings.relay_interval_seconds = 0.2
        rt.settings.probe_interval_seconds = 0.2
        rt.settings.probe_stale_seconds = 1.0
        server = LiveServer(app)
        await server.start()
        servers.append(server)
    try:
        yield servers
    finally:
        for server in servers:
            await server.stop()


async def test_event_committed_on_node_a_reaches_subscribers_on_both_nodes(
    nodes: list[LiveServer],
) -> None:
    a, b = nodes
    room = new_room()
    channel = f"test.room.{room}"
    services = a.app.state.services

    async def join(server: LiveServer) -> Client:
        client = await Client.open(server.ws_url, token_for(services))
        assert (await client.subscribe(channel))["ok"] is True
        return client

    # Many first subscribers at once on each node: none may be lost to a subscribe race.
    clients: list[Client] = []
    for start in range(0, 100, 25):
        clients += await asyncio.gather(*(join(nodes[i % 2]) for i in range(start, start + 25)))
    await commit_posts(services, room, [1, 2])
    for client in clients:
        assert await client.wait_events(channel, 2) == [1, 2]
    for server in nodes:
        assert server.app.state.realtime.hub.broker.channels == 1  # once per channel per node
    await asyncio.gather(*(c.close() for c in clients))
    assert b.app.state.services.metrics_registry.get_sample_value(
        "edtech_events_delivered_total"
    ) == pytest.approx(100)


async def test_redis_restart_loses_nothing_and_readiness_turns_red_meanwhile(
    nodes: list[LiveServer], redis_process: RedisProcess
) -> None:
    room = new_room()
    channel = f"test.room.{room}"
    total = 120
    clients = []
    epoch = ""
    for i in range(6):
        server = nodes[i % 2]
        client = await Client.open(server.ws_url, token_for(server.app.state.services))
        reply = await client.subscribe(channel)
        epoch = reply["data"]["epoch"]
        clients.append((server, client))

    readiness: dict[str, list[int]] = {"node-a": [], "node-b": []}
    reasons: dict[str, list[object]] = {"node-a": [], "node-b": []}
    stop = asyncio.Event()

    async def watch(server: LiveServer) -> None:
        name = server.app.state.services.node_name
        async with httpx.AsyncClient(base_url=server.url, timeout=5) as http:
            while not stop.is_set():
                response = await http.get("/readyz")
                readiness[name].append(response.status_code)
                if response.status_code != 200:
                    reasons[name].append(response.json()["checks"])
                await asyncio.sleep(0.1)

    async def write() -> None:
        for n in range(1, total + 1):
            server = nodes[n % 2]
            await commit_posts(server.app.state.services, room, [n])
            await asyncio.sleep(0.025)

    watchers = [asyncio.create_task(watch(s)) for s in nodes]
    while not all(readiness.values()):  # both seen ready before the outage
        await asyncio.sleep(0.05)
    writer = asyncio.create_task(write())
    await asyncio.sleep(0.6)
    await redis_process.kill()
    await asyncio.sleep(2.5)
    await redis_process.start()
    await writer

    async def ready(server: LiveServer) -> None:
        async with httpx.AsyncClient(base_url=server.url, timeout=5) as http:
            for _ in range(100):
                response = await http.get("/readyz")
                if response.status_code == 200:
                    return
                await asyncio.sleep(0.1)
        raise AssertionError(f"node never became ready again: {response.json()}")

    await asyncio.gather(*(ready(s) for s in nodes))
    stop.set()
    await asyncio.gather(*watchers)
    for name, statuses in readiness.items():
        assert 503 in statuses, f"{name} never reported the outage"
        assert statuses[0] == 200, reasons[name]
        assert statuses[-1] == 200
    for server in nodes:
        reconnects = server.app.state.services.metrics_registry.get_sample_value(
            "edtech_broker_reconnects_total"
        )
        assert reconnects is not None
        assert reconnects >= 1

    for i, (server, client) in enumerate(clients):
        live = [e["offset"] for e in client.events]
        await client.close()
        # Resume with `since` (on the other node for half of them): the rest, exactly once.
        other = nodes[(i + 1) % 2] if i % 2 else server
        resumed = await Client.open(other.ws_url, token_for(other.app.state.services))
        since = {"offset": live[-1] if live else 0, "epoch": epoch}
        reply = await resumed.subscribe(channel, since=since)
        assert reply["data"]["recovered"] is True
        missing = total - len(live)
        rest = await resumed.wait_events(channel, missing) if missing else []
        await asyncio.sleep(0.2)
        assert live + [e["offset"] for e in resumed.events] == list(range(1, total + 1))
        assert rest == list(range(len(live) + 1, total + 1))
        await resumed.close()
