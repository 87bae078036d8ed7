"""The node's broker: one subscription per channel (ref-counted, race-free), a supervised
listener, and a probe that proves the subscription still hears what is published.

It drives a broadcaster `BroadcastBackend` directly — `MemoryBackend` embedded,
`ResilientRedisBackend` scaled — rather than broadcaster's `Broadcast`, whose subscribe races
(two first subscribers each replace the other's queue) and whose listener is unsupervised.
See docs/adr/0002-realtime-broker-and-offsets.md.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from broadcaster import BroadcastBackend
from broadcaster._backends.memory import MemoryBackend

from edtech.platform.observability.logging import get_logger
from edtech.realtime.metrics import RealtimeMetrics
from edtech.realtime.redis_backend import ResilientRedisBackend

log = get_logger(__name__)

PREFIX = "rt:"


def broker_channel(channel: str) -> str:
    """The broker-side name of a hub channel (a prefix keeps our keys apart in Redis)."""
    return PREFIX + channel


NODES = "_nodes"
"""Notices for every node (this one too), e.g. whose access to re-check; never a client
channel (channel names start with a letter)."""

OnMessage = Callable[[str, str], None]
"""`on_message(channel, message)`: a message published on a hub channel (or on `NODES`)."""


class Broker:
    """Subscriptions of this node, the listener that dispatches what arrives, and readiness."""

    def __init__(
        self,
        url: str,
        node_name: str,
        metrics: RealtimeMetrics,
        *,
        probe_interval: float = 1.0,
        stale_after: float = 5.0,
    ) -> None:
        self.url = url
        self.scaled = not url.startswith("memory://")
        self._metrics = metrics
        self.reconnected = asyncio.Event()
        """Set at each reconnection: what was published meanwhile must be caught up."""
        self.backend: BroadcastBackend = (
            ResilientRedisBackend(url, on_reconnect=self._reconnected)
            if self.scaled
            else MemoryBackend(url)
        )
        self._refs: dict[str, int] = {}
        # One lock for every (un)subscribe: only the first and last per channel touch the
        # backend, so it is rarely held for long, and it can never be lost or leaked.
        self._lock = asyncio.Lock()
        self._probe_channel = broker_channel(f"_probe.{node_name}")
        self._probe_interval = probe_interval
        self._stale_after = stale_after
        self._last_probe_seen = time.monotonic()
        self._last_probe_error: str | None = None

    async def connect(self) -> None:
        self._last_probe_seen = time.monotonic()
        await self.backend.connect()
        await self.backend.subscribe(self._probe_channel)
        await self.backend.subscribe(broker_channel(NODES))

    async def disconnect(self) -> None:
        await self.backend.disconnect()

    def _reconnected(self) -> None:
        self._metrics.broker_reconnects.inc()
        self.reconnected.set()

    async def listen(self, on_message: OnMessage) -> None:
        """Dispatch every message (`NODES` notices included); runs under the supervisor."""
        while True:
            event = await self.backend.next_published()
            if event.channel == self._probe_channel:
                self._last_probe_seen = time.monotonic()
                continue
            on_message(event.channel[len(PREFIX) :], event.message)

    async def probe(self) -> None:
        """Publish to our own probe channel forever; `listen` records when it comes back."""
        while True:
            try:
                async with asyncio.timeout(2.0):
                    await self.backend.publish(self._probe_channel, str(time.time()))
                self._last_probe_error = None
            except Exception as exc:  # the broker is down: readiness says so
                self._last_probe_error = f"{type(exc).__name__}: {exc}"[:120]
            stale = time.monotonic() - self._last_probe_seen
            if (
                stale > self._stale_after
                and isinstance(self.backend, ResilientRedisBackend)
                and self.backend.connected.is_set()
            ):
                self.backend.request_reconnect()  # connected but deaf: start again
                self._last_probe_seen = time.monotonic() - self._stale_after / 2  # then wait
            await asyncio.sleep(self._probe_interval)

    async def readiness(self) -> str | None:
        """None when the broker is reachable and our subscription hears it; else why not."""
        if isinstance(self.backend, ResilientRedisBackend) and not self.backend.connected.is_set():
            return "broker unreachable (reconnecting)"
        if self._last_probe_error is not None:
            return f"broker publish failing: {self._last_probe_error}"
        stale = time.monotonic() - self._last_probe_seen
        if stale > self._stale_after:
            return f"broker subscription stale ({stale:.1f}s since the probe came back)"
        return None

    async def subscribe(self, channel: str) -> None:
        """Count one more local interest in `channel`; the first one subscribes the node."""
        async with self._lock:
            count = self._refs.get(channel, 0)
            if count == 0:
                await self.backend.subscribe(broker_channel(channel))
            self._refs[channel] = count + 1

    async def unsubscribe(self, channel: str) -> None:
        """Count one less; the last one unsubscribes the node."""
        async with self._lock:
            count = self._refs.get(channel, 0) - 1
            if count > 0:
                self._refs[channel] = count
                return
            if self._refs.pop(channel, None) is not None:
                await self.backend.unsubscribe(broker_channel(channel))

    @property
    def channels(self) -> int:
        return len(self._refs)

    async def publish(self, channel: str, message: str) -> None:
        await self.backend.publish(broker_channel(channel), message)
