"""The resilient Redis backend (it reconnects and resubscribes by itself after a restart) and
the hot history written through it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from broadcaster import Event
from redis import asyncio as aioredis

from edtech.realtime.history import RedisHistory
from edtech.realtime.outbox import OutboxRow
from edtech.realtime.redis_backend import ResilientRedisBackend
from tests.integration.realtime.support import RedisProcess


@pytest.fixture
async def redis_process() -> AsyncIterator[RedisProcess]:
    proc = RedisProcess()
    await proc.start()
    try:
        yield proc
    finally:
        await proc.kill()


async def _next(backend: ResilientRedisBackend) -> Event:
    return await asyncio.wait_for(backend.next_published(), 5)


async def test_backend_resubscribes_every_channel_after_redis_restarts(
    redis_process: RedisProcess,
) -> None:
    reconnects: list[int] = []
    backend = ResilientRedisBackend(redis_process.url, on_reconnect=lambda: reconnects.append(1))
    await backend.connect()
    try:
        await asyncio.wait_for(backend.connected.wait(), 5)
        await backend.subscribe("rt:a")
        await backend.subscribe("rt:b")
        await backend.publish("rt:b", "before")
        assert (await _next(backend)) == Event("rt:b", "before")

        await redis_process.kill()
        for _ in range(100):
            if not backend.connected.is_set():
                break
            await asyncio.sleep(0.05)
        assert not backend.connected.is_set()
        await backend.subscribe("rt:c")  # asked for while Redis is down
        await redis_process.start()
        await asyncio.wait_for(backend.connected.wait(), 10)

        for channel in ("rt:a", "rt:b", "rt:c"):
            await backend.publish(channel, "after")
            assert (await _next(backend)) == Event(channel, "after")
        assert reconnects == [1]
    finally:
        await backend.disconnect()


async def test_backend_stops_hearing_what_it_unsubscribed(redis_process: RedisProcess) -> None:
    backend = ResilientRedisBackend(redis_process.url)
    await backend.connect()
    try:
        await asyncio.wait_for(backend.connected.wait(), 5)
        await backend.subscribe("rt:x")
        await backend.subscribe("rt:y")
        await backend.unsubscribe("rt:x")
        await backend.publish("rt:x", "nobody")
        await backend.publish("rt:y", "someone")
        assert (await _next(backend)) == Event("rt:y", "someone")
    finally:
        await backend.disconnect()


def _rows(channel: str, offsets: range) -> list[OutboxRow]:
    at = datetime.now(UTC)
    return [OutboxRow(o, channel, o, "test.room_posted", {"n": o}, at) for o in offsets]


async def test_hot_history_sends_a_batch_in_one_round_trip_even_after_its_script_is_flushed(
    redis_process: RedisProcess,
) -> None:
    """No `SCRIPT EXISTS` before each batch (a second round trip per publish); a Redis that
    lost the script (restart, flush) gets it again and every event of the batch."""
    client = aioredis.Redis.from_url(redis_process.url)
    try:
        history = RedisHistory(client, ttl_seconds=60)
        await history.publish(_rows("test.a", range(1, 4)), {"test.a": 10})
        await client.config_resetstat()
        await history.publish(_rows("test.a", range(4, 6)), {"test.a": 10})
        await history.publish(_rows("test.b", range(1, 3)), {"test.b": 10})
        stats = await client.info("commandstats")
        assert [k for k in stats if k.startswith("cmdstat_script")] == []
        assert stats["cmdstat_evalsha"]["calls"] == 4
        await client.script_flush()
        await history.publish(_rows("test.b", range(3, 5)), {"test.b": 10})
        assert sorted(await history.read("test.a", 0)) == [1, 2, 3, 4, 5]
        assert sorted(await history.read("test.b", 0)) == [1, 2, 3, 4]
    finally:
        await client.aclose()
