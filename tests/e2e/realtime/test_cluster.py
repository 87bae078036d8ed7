"""Two nodes sharing PostgreSQL and Redis: fan-out across nodes, and a Redis restart."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from edtech.settings import Settings
from tests import databases
from tests.integration.realtime.support import (
    Client,
    RedisProcess,
    commit_posts,
    new_room,
    realtime_app,
    token_for,
)
from tests.servers import TEST_SECRET, LiveServer
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
                background_jobs=False,  # not under test; a job mid-query must not hold up stop
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

    readiness: dict[str, list[int | str]] = {"node-a": [], "node-b": []}
    reasons: dict[str, list[object]] = {"node-a": [], "node-b": []}
    stop = asyncio.Event()

    async def watch(server: LiveServer) -> None:
        name = server.app.state.services.node_name
        async with httpx.AsyncClient(base_url=server.url, timeout=5) as http:
            while not stop.is_set():
                try:
                    response = await http.get("/readyz")
                except httpx.HTTPError as exc:  # recorded, not fatal: the watch goes on
                    readiness[name].append(type(exc).__name__)
                else:
                    readiness[name].append(response.status_code)
                    if response.status_code != 200:
                        reasons[name].append(response.json()["checks"])
                await asyncio.sleep(0.1)

    async def write() -> None:
        for n in range(1, total + 1):
            server = nodes[n % 2]
            await commit_posts(server.app.state.services, room, [n])
            await asyncio.sleep(0.025)

    # Every client reads live throughout; what it has not got by the end it recovers below.
    readers = [asyncio.create_task(c.wait_events(channel, total, timeout=60)) for _, c in clients]
    watchers = [asyncio.create_task(watch(s)) for s in nodes]
    async with asyncio.timeout(30):  # both seen answering before the outage
        while not all(readiness.values()):
            await asyncio.sleep(0.05)
    writer = asyncio.create_task(write())
    await asyncio.sleep(0.6)
    await redis_process.kill()
    await asyncio.sleep(2.5)
    await redis_process.start()
    async with asyncio.timeout(60):
        await writer

    def recovered(statuses: list[int | str]) -> bool:
        return 503 in statuses and statuses[-1] == 200

    try:  # each node seen ready, then out, then ready again
        async with asyncio.timeout(20):
            while not all(recovered(statuses) for statuses in readiness.values()):
                await asyncio.sleep(0.05)
    finally:
        stop.set()
        await asyncio.gather(*watchers)
    for name, statuses in readiness.items():
        assert statuses[0] == 200, f"{name}: {statuses} {reasons[name][:3]}"
        assert recovered(statuses), f"{name}: {statuses} {reasons[name][-3:]}"
    for server in nodes:
        reconnects = server.app.state.services.metrics_registry.get_sample_value(
            "edtech_broker_reconnects_total"
        )
        assert reconnects is not None
        assert reconnects >= 1

    await asyncio.sleep(0.5)  # live delivery of the last writes
    for reader in readers:
        reader.cancel()  # recv() is cancellation-safe: nothing read is lost
    await asyncio.gather(*readers, return_exceptions=True)
    for i, (server, client) in enumerate(clients):
        live = [e["offset"] for e in client.events]
        assert live == list(range(1, len(live) + 1)), "live delivery out of order or with a gap"
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
