"""The resilient Redis backend (it reconnects and resubscribes by itself after a restart) and
the hot history written through it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from broadcaster import Event
from redis import asyncio as aioredis

from edtech.realtime.broker import broker_channel
from edtech.realtime.history import ROWS_PER_CALL, RedisHistory, history_key
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
        assert stats["cmdstat_evalsha"]["calls"] == 2  # one script call per batch
        await client.script_flush()
        await history.publish(_rows("test.b", range(3, 5)), {"test.b": 10})
        assert sorted(await history.read("test.a", 0)) == [1, 2, 3, 4, 5]
        assert sorted(await history.read("test.b", 0)) == [1, 2, 3, 4]
    finally:
        await client.aclose()


async def test_hot_history_appends_and_publishes_each_row_of_a_large_batch_in_order(
    redis_process: RedisProcess,
) -> None:
    """A batch larger than one script call's rows is several calls in one pipeline: every row
    lands in its channel's history (trimmed to its size) and is published, in order, as
    `e<offset>|<publish time ms>|<frame>` (the frame sent to Redis once, the message built
    there)."""
    client = aioredis.Redis.from_url(redis_process.url)
    listener = client.pubsub()
    try:
        await listener.subscribe(broker_channel("test.big"), broker_channel("test.small"))
        for _ in range(2):
            assert (await listener.get_message(timeout=5))["type"] == "subscribe"
        history = RedisHistory(client, ttl_seconds=60)
        n = ROWS_PER_CALL + 5
        big, small = _rows("test.big", range(1, n + 1)), _rows("test.small", range(1, 3))
        batch = [*big[:3], *small, *big[3:]]
        await history.publish(_rows("test.warm", range(1, 2)), {"test.warm": 1})  # loads it
        await client.config_resetstat()
        before = int(datetime.now(UTC).timestamp() * 1000)
        await history.publish(batch, {"test.big": n, "test.small": 1})
        after = int(datetime.now(UTC).timestamp() * 1000)
        stats = await client.info("commandstats")
        assert stats["cmdstat_evalsha"]["calls"] == 2
        heard: list[tuple[str, str]] = []
        while len(heard) < len(batch):
            message = await listener.get_message(timeout=5)
            assert message is not None, f"heard {len(heard)} of {len(batch)}"
            heard.append((message["channel"].decode(), message["data"].decode()))
        for (channel, data), row in zip(heard, batch, strict=True):
            assert channel == broker_channel(row.channel)
            offset, sent, frame = data[1:].split("|", 2)
            assert data[0] == "e"
            assert (int(offset), frame) == (row.offset, row.frame())
            assert before <= int(sent) <= after
        assert await history.read("test.big", 0) == {r.offset: r.frame() for r in big}
        assert await history.read("test.small", 0) == {2: small[1].frame()}  # size 1: trimmed
        assert 0 < await client.ttl(history_key("test.big")) <= 60
    finally:
        await listener.aclose()
        await client.aclose()
