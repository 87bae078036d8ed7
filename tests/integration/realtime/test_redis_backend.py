"""The resilient Redis backend: it reconnects and resubscribes by itself after a restart."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from broadcaster import Event

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
