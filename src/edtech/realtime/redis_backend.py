"""A broadcaster `BroadcastBackend` over redis.asyncio that survives Redis restarts.

broadcaster's own Redis backend lets its listener die silently when the connection drops
(upstream issue #144) and never resubscribes. This one keeps the set of subscribed channels,
reconnects with capped, jittered backoff, and resubscribes all of them by itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Callable
from typing import Any

from broadcaster import BroadcastBackend, Event
from redis import asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff, NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from edtech.platform.observability.logging import get_logger

log = get_logger(__name__)


def client_for(url: str) -> aioredis.Redis:
    """A command client that retries briefly over a reconnect (after a Redis restart its
    pooled connections are dead; the first command on one must not fail for that alone)."""
    return aioredis.Redis.from_url(
        url,
        socket_timeout=2.0,
        socket_connect_timeout=1.0,
        retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), 3),
        retry_on_error=[RedisConnectionError, RedisTimeoutError, OSError],
        health_check_interval=5,
    )


class ResilientRedisBackend(BroadcastBackend):
    """Pub/sub with a supervised listener: connect, subscribe everything, read, and on any
    failure start again."""

    def __init__(self, url: str, on_reconnect: Callable[[], None] | None = None) -> None:
        self._url = url
        self._channels: set[str] = set()
        self._queue: asyncio.Queue[Event] = asyncio.Queue()
        self._pubsub: Any = None
        self._client: aioredis.Redis | None = None
        self._task: asyncio.Task[None] | None = None
        self._command_lock = asyncio.Lock()
        self._on_reconnect = on_reconnect
        self._reset = False
        self.connected = asyncio.Event()
        self.publisher = client_for(url)

    async def connect(self) -> None:
        self._task = asyncio.create_task(self._run(), name="realtime:redis-listener")

    async def disconnect(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self._close()
        await self.publisher.aclose()

    async def subscribe(self, channel: str) -> None:
        self._channels.add(channel)
        await self._command("subscribe", channel)

    async def unsubscribe(self, channel: str) -> None:
        self._channels.discard(channel)
        await self._command("unsubscribe", channel)

    async def publish(self, channel: str, message: Any) -> None:
        await self.publisher.publish(channel, message)

    async def next_published(self) -> Event:
        return await self._queue.get()

    def request_reconnect(self) -> None:
        """Drop the connection and start again (the probe found the subscription deaf)."""
        self._reset = True

    async def _command(self, name: str, channel: str) -> None:
        async with self._command_lock:
            if not self.connected.is_set():
                return  # the listener (re)subscribes every channel once it is connected
            try:
                await getattr(self._pubsub, name)(channel)
            except (RedisError, OSError) as exc:
                # The listener notices the broken connection and resubscribes everything.
                log.warning("redis_pubsub_command_failed", command=name, error=str(exc))

    async def _close(self) -> None:
        self.connected.clear()
        pubsub, client, self._pubsub, self._client = self._pubsub, self._client, None, None
        for closable in (pubsub, client):
            if closable is not None:
                with contextlib.suppress(RedisError, OSError):  # it is broken already
                    await closable.aclose()

    async def _run(self) -> None:
        delay, first = 0.05, True
        while True:
            try:
                await self._listen(first)
                log.warning("redis_pubsub_reset", reason="probe found the subscription stale")
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("redis_pubsub_lost", error=f"{type(exc).__name__}: {exc}")
            if self.connected.is_set():
                delay = 0.05  # it had worked: start the backoff again from short
            first = False
            await self._close()
            await asyncio.sleep(delay * (0.5 + random.random()))  # noqa: S311 - jitter only
            delay = min(delay * 2, 2.0)

    async def _listen(self, first: bool) -> None:
        self._reset = False
        # No hidden retries: redis-py would reconnect and resubscribe silently, and we
        # need to know (to count it, and to catch up on what was published meanwhile).
        self._client = aioredis.Redis.from_url(
            self._url,
            socket_connect_timeout=1.0,
            socket_keepalive=True,
            retry=Retry(NoBackoff(), 0),
        )
        self._pubsub = self._client.pubsub(ignore_subscribe_messages=True)
        async with self._command_lock:
            # Subscribing every channel at once; channels added meanwhile wait for the lock.
            await self._pubsub.subscribe(*sorted(self._channels) or ["rt:_"])
            self.connected.set()
        if not first and self._on_reconnect is not None:
            self._on_reconnect()
        log.info("redis_pubsub_connected", channels=len(self._channels), reconnect=not first)
        while not self._reset:
            message = await self._pubsub.get_message(timeout=2.0)
            if message is None or message.get("type") != "message":
                if message is None:
                    await self._pubsub.ping()  # a dead socket fails here rather than hanging
                continue
            self._queue.put_nowait(
                Event(channel=message["channel"].decode(), message=message["data"].decode())
            )
