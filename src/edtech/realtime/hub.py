"""The node's hub: local subscriptions per channel, in-order delivery, recovery.

Each channel with local subscribers is subscribed on the broker once. Events arrive encoded
(once, by the publisher); the hub delivers them to local sockets strictly in offset order:
duplicates (at-least-once) are dropped, and an event that arrives ahead of a missing one waits
briefly while the gap is filled from the database, where every committed event is.

Channels whose type has delivery observers (`ChannelRegistry.observe_deliveries`) decode each
event once and note which person each observed event was handed to; the notes go to the
observers in debounced batches. Other channels never look inside their frames.

The hub is built whole by the node (`lifecycle`): its broker, hot history, background tasks and
delivery notes are given to it, and the node's listener hands it what the broker delivers.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from edtech.kernel.clock import Clock
from edtech.platform.observability.logging import get_logger
from edtech.realtime import outbox
from edtech.realtime.broker import Broker
from edtech.realtime.deliveries import DeliveryNotes
from edtech.realtime.history import HotHistory
from edtech.realtime.metrics import RealtimeMetrics
from edtech.realtime.protocol import ChannelEvent, Since, decode_event
from edtech.realtime.registry import ChannelType, DeliveryObserver, ResolvedChannel
from edtech.realtime.settings import RealtimeSettings
from edtech.realtime.supervisor import Background

log = get_logger(__name__)

GAP_WAIT_SECONDS = 0.2


class Subscriber(Protocol):
    """What the hub needs of a socket: a non-blocking, bounded enqueue of a text frame."""

    id: str

    def enqueue(self, frame: str) -> None: ...

    async def enqueue_paced(self, frame: str) -> None: ...


@dataclass(eq=False)
class Subscription:
    """One socket in one channel: it gets offsets above `after`; `pending` while recovering."""

    subscriber: Subscriber
    after: int
    pending: list[tuple[int, str]] | None = field(default_factory=list)


class LocalChannel:
    """A channel this node is subscribed to, and the local sockets in it."""

    def __init__(
        self,
        name: str,
        channel_type: ChannelType,
        next_offset: int,
        epoch: str,
        observers: Mapping[str, DeliveryObserver] | None = None,
        notes: DeliveryNotes | None = None,
    ) -> None:
        self.name = name
        self.type = channel_type
        self.next_offset = next_offset
        self.epoch = epoch
        self.subs: dict[Subscriber, Subscription] = {}
        self.ahead: dict[int, str] = {}
        self.gap_task: asyncio.Task[None] | None = None
        # Both or neither: only channels somebody observes look at what they deliver.
        self.observers = observers if notes is not None else None
        self.notes = notes

    def observed(self, frame: str, to: Subscriber) -> None:
        """Note that `frame` went to `to`, if its event type is observed here."""
        if self.observers is None or self.notes is None:
            return
        event = decode_event(frame)
        observer = self.observers.get(event.type)
        if observer is not None:
            self.notes.note(observer, event, to)

    def accept(self, offset: int, frame: str) -> int:
        """Take an event in any order; deliver what is now in order. Returns frames queued."""
        if offset < self.next_offset:
            return 0  # a duplicate: at-least-once publishing, or the gap-filler got it first
        if offset > self.next_offset:
            self.ahead[offset] = frame
            return 0
        queued = self._deliver(offset, frame)
        self.next_offset += 1
        while self.next_offset in self.ahead:
            queued += self._deliver(self.next_offset, self.ahead.pop(self.next_offset))
            self.next_offset += 1
        return queued

    def _deliver(self, offset: int, frame: str) -> int:
        if self.observers is not None:  # decoded once per event, never per socket
            event = decode_event(frame)
            observer = self.observers.get(event.type)
            if observer is not None:
                return self._deliver_observed(offset, frame, event, observer)
        queued = 0
        for sub in list(self.subs.values()):
            if sub.pending is not None:
                sub.pending.append((offset, frame))
            elif offset > sub.after:
                sub.subscriber.enqueue(frame)
                queued += 1
        return queued

    def _deliver_observed(
        self, offset: int, frame: str, event: ChannelEvent, observer: DeliveryObserver
    ) -> int:
        """`_deliver`, noting who the event went to (only for observed event types)."""
        assert self.notes is not None
        queued = 0
        for sub in list(self.subs.values()):
            if sub.pending is not None:
                sub.pending.append((offset, frame))
            elif offset > sub.after:
                sub.subscriber.enqueue(frame)
                queued += 1
                self.notes.note(observer, event, sub.subscriber)
        return queued

    def skip_missing(self, upto: int) -> int:
        """Give up on the offsets up to `upto` still missing here (the database no longer holds
        them: pruned); deliver every event held after each hole, in order. Never jumps past an
        event it holds."""
        queued = 0
        while self.next_offset <= upto:
            target = min(min(self.ahead, default=upto + 1), upto + 1)
            log.warning(
                "channel_gap_unfillable", channel=self.name, start=self.next_offset, end=target
            )
            self.next_offset = target
            frame = self.ahead.pop(target, None)
            if frame is not None:
                queued += self.accept(target, frame)
        return queued

    def broadcast(self, frame: str, exclude: str | None = None) -> None:
        """An ephemeral frame (signal, presence diff) to every live subscriber."""
        for sub in list(self.subs.values()):
            if sub.pending is None and sub.subscriber.id != exclude:
                sub.subscriber.enqueue(frame)


@dataclass(frozen=True)
class Subscribed:
    """The outcome of a subscribe: the reply's data, then `finish()` queues the events."""

    data: dict[str, object]
    finish: Callable[[], Awaitable[None]]


class Hub:
    """Local channels of this node, fed by the broker, read by sockets."""

    def __init__(
        self,
        broker: Broker,
        history: HotHistory,
        session_factory: async_sessionmaker[AsyncSession],
        clock: Clock,
        settings: RealtimeSettings,
        metrics: RealtimeMetrics,
        background: Background,
        notes: DeliveryNotes | None = None,
    ) -> None:
        self.broker = broker
        self.history = history
        self.session_factory = session_factory
        self.clock = clock
        self.settings = settings
        self.metrics = metrics
        self.background = background
        self.notes = notes
        """Who was handed observed events; without it (a bare hub, in tests) nobody is told."""
        self.channels: dict[str, LocalChannel] = {}
        self._creating: dict[str, asyncio.Future[None]] = {}

    # -- from the broker ---------------------------------------------------------------

    def on_message(self, channel: str, message: str) -> None:
        lc = self.channels.get(channel)
        if lc is None or not message:
            return
        kind = message[0]
        if kind == "e":
            offset_s, ts_s, frame = message[1:].split("|", 2)
            queued = lc.accept(int(offset_s), frame)
            if queued:
                self.metrics.delivered.inc(queued)
                self.metrics.lag.observe(max(0.0, time.time() - int(ts_s) / 1000))
            if lc.ahead and lc.gap_task is None:
                lc.gap_task = self.background.spawn(self._fill_gap(lc))
        elif kind == "s":
            sender, frame = message[1:].split("|", 1)
            lc.broadcast(frame, exclude=sender)
        elif kind == "p":
            lc.broadcast(message[1:])

    async def _fill_gap(self, lc: LocalChannel) -> None:
        """After a short wait (reordered events usually arrive by then), read the hole below
        the first held event from the database. Only offsets that were read for and not found
        are given up; a hole that opened during the read waits for a task of its own."""
        try:
            await asyncio.sleep(GAP_WAIT_SECONDS)
            while lc.ahead and min(lc.ahead) <= lc.next_offset:  # held, yet due: deliver
                first = min(lc.ahead)
                lc.accept(first, lc.ahead.pop(first))
            if lc.ahead and self.channels.get(lc.name) is lc:
                upto = min(lc.ahead) - 1
                await self._catch_up(lc, upto)
                if lc.next_offset <= upto:
                    self.metrics.delivered.inc(lc.skip_missing(upto))
        except Exception:
            log.exception("gap_fill_failed", channel=lc.name)
        finally:
            lc.gap_task = None
            if lc.ahead and self.channels.get(lc.name) is lc:
                lc.gap_task = self.background.spawn(self._fill_gap(lc))

    async def _catch_up(self, lc: LocalChannel, upto: int) -> None:
        """Deliver lc's committed events up to `upto` from the database."""
        async with self.session_factory() as session:
            rows = await outbox.read_range(session, lc.name, lc.next_offset - 1, upto)
        queued = 0
        for row in rows:
            queued += lc.accept(row.offset, row.frame())
        if rows:
            self.metrics.gap_fills.inc(len(rows))
            self.metrics.delivered.inc(queued)

    async def resync_loop(self, period: float = 5.0) -> None:
        """After a broker reconnect (and every `period`), catch every local channel up with
        the database: events published while this node was not listening are not lost."""
        reconnected = self.broker.reconnected
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(period):
                    await reconnected.wait()
            reconnected.clear()
            await self.resync()

    async def resync(self) -> None:
        names = list(self.channels)
        if not names:
            return
        async with self.session_factory() as session:
            committed = await outbox.positions(session, names)
        for name, last in committed.items():
            lc = self.channels.get(name)
            if lc is not None and last >= lc.next_offset:
                await self._catch_up(lc, last)
                if lc.next_offset <= last:  # pruned or gone: do not wait for them forever
                    self.metrics.delivered.inc(lc.skip_missing(last))

    # -- from sockets ------------------------------------------------------------------

    async def _acquire(self, resolved: ResolvedChannel) -> LocalChannel:
        """The local channel, subscribing the node to it first if needed (once, race-free)."""
        name = resolved.name
        while True:
            lc = self.channels.get(name)
            if lc is not None:
                return lc
            waiting = self._creating.get(name)
            if waiting is not None:
                await asyncio.shield(waiting)
                continue
            done = asyncio.get_running_loop().create_future()
            self._creating[name] = done
            try:
                # Subscribe first, then read the position: nothing committed after the read
                # can be missed, and anything before it is at or below the position.
                await self.broker.subscribe(name)
                try:
                    async with self.session_factory() as session:
                        pos = await outbox.position(session, name, self.clock.now())
                        await session.commit()
                except BaseException:
                    await self.broker.unsubscribe(name)
                    raise
                lc = LocalChannel(
                    name, resolved.type, pos.offset + 1, pos.epoch, resolved.observers, self.notes
                )
                self.channels[name] = lc
                self.metrics.node_channels.set(len(self.channels))
                return lc
            finally:
                del self._creating[name]
                done.set_result(None)

    async def subscribe(
        self, subscriber: Subscriber, resolved: ResolvedChannel, since: Since | None
    ) -> Subscribed:
        """Join `subscriber` to the channel; with `since`, recover what it missed."""
        lc = await self._acquire(resolved)
        sub = Subscription(subscriber, after=lc.next_offset - 1)
        lc.subs[subscriber] = sub  # from here live events wait in `sub.pending`
        try:
            current = lc.next_offset - 1
            frames: list[str] = []
            data: dict[str, object] = {"channel": lc.name, "epoch": lc.epoch}
            if since is not None:
                recovered, frames, kind = await self._recover(lc, since, current)
                self.metrics.recoveries.labels(kind).inc()
                data["recovered"] = recovered
                if recovered:
                    sub.after = max(since.offset, current)
        except BaseException:
            await self.unsubscribe(subscriber, lc.name)
            raise
        data["offset"] = max(sub.after, current)

        async def finish() -> None:
            # Live events keep waiting in `sub.pending` while the catch-up is paced out.
            for frame in frames:
                await subscriber.enqueue_paced(frame)
                lc.observed(frame, subscriber)
            pending, sub.pending = sub.pending or [], None
            for offset, frame in pending:
                if offset > sub.after:
                    subscriber.enqueue(frame)
                    lc.observed(frame, subscriber)

        return Subscribed(data, finish)

    async def _recover(
        self, lc: LocalChannel, since: Since, current: int
    ) -> tuple[bool, list[str], str]:
        """Frames after `since` up to `current`, from hot history or the database."""
        if since.offset > 0 and since.epoch != lc.epoch:
            return False, [], "epoch"
        if since.offset >= current:
            return True, [], "none"
        if current - since.offset > self.settings.recovery_max_events:
            return False, [], "too_far"
        wanted = range(since.offset + 1, current + 1)
        try:
            hot = await self.history.read(lc.name, since.offset)
        except Exception as exc:  # broker down: the database may still have it
            log.warning("hot_history_unavailable", error=str(exc))
            hot = {}
        if all(o in hot for o in wanted):
            return True, [hot[o] for o in wanted], "hot"
        if lc.type.durable:
            async with self.session_factory() as session:
                rows = await outbox.read_range(session, lc.name, since.offset, current)
            if [r.offset for r in rows] == list(wanted):
                return True, [r.frame() for r in rows], "database"
        return False, [], "failed"

    async def unsubscribe(self, subscriber: Subscriber, name: str) -> bool:
        lc = self.channels.get(name)
        if lc is None or lc.subs.pop(subscriber, None) is None:
            return False
        if not lc.subs:
            del self.channels[name]
            self.metrics.node_channels.set(len(self.channels))
            if lc.gap_task is not None:
                lc.gap_task.cancel()
            await self.broker.unsubscribe(name)
        return True

    async def publish_signal(self, channel: str, sender: str, frame: str) -> None:
        await self.broker.publish(channel, f"s{sender}|{frame}")

    async def stop(self) -> None:
        """Hand over the last delivery notes (what sockets were given before the end counts);
        the node then stops the background tasks."""
        if self.notes is not None:
            await self.notes.stop()
