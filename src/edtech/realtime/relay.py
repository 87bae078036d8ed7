"""Getting committed outbox rows to the broker: the publisher (right after commit) and the
relay (whatever is left: broker down, node crashed), both supervised; and retention pruning."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from edtech.kernel.clock import Clock
from edtech.platform.observability.logging import get_logger
from edtech.realtime import outbox
from edtech.realtime.history import HotHistory
from edtech.realtime.metrics import RealtimeMetrics
from edtech.realtime.outbox import OutboxRow
from edtech.realtime.settings import RealtimeSettings

log = get_logger(__name__)

SizeOf = Callable[[str], int]
"""Hot-history size of a channel (from its channel type)."""


MARK_EVERY = 0.2
"""Seconds between the publisher's marking transactions: what it sent in that time is marked
published in one UPDATE, not one transaction per batch (at a morning's scan peak that was
most of the node's database work after the scans themselves). The relay leaves a row alone
for `relay_grace_seconds` (2 s by default), far longer."""


class Publisher:
    """Publishes freshly committed rows in commit order, then marks them published.

    A failure leaves the rows unpublished in the database: the relay takes them later.
    """

    def __init__(
        self,
        history: HotHistory,
        session_factory: async_sessionmaker[AsyncSession],
        clock: Clock,
        size_of: SizeOf,
        metrics: RealtimeMetrics,
    ) -> None:
        self._history = history
        self._session_factory = session_factory
        self._clock = clock
        self._size_of = size_of
        self._metrics = metrics
        self._queue: asyncio.Queue[list[OutboxRow]] = asyncio.Queue()
        self._sent: list[int] = []
        self._marking: asyncio.Task[None] | None = None

    def submit(self, rows: list[OutboxRow]) -> None:
        self._queue.put_nowait(rows)

    @property
    def unmarked(self) -> int:
        """Rows sent to the broker and not yet marked published (they are, within a period)."""
        return len(self._sent)

    async def send(self, rows: Sequence[OutboxRow]) -> None:
        """Append `rows` to hot history and fan them out; raises if the broker refused them."""
        sizes = {r.channel: self._size_of(r.channel) for r in rows}
        async with asyncio.timeout(5.0):
            await self._history.publish(rows, sizes)
        self._metrics.published.inc(len(rows))

    async def publish(self, rows: Sequence[OutboxRow]) -> None:
        """Send `rows`; they are marked published within `MARK_EVERY` seconds."""
        await self.send(rows)
        self._sent.extend(r.id for r in rows)
        if self._marking is None or self._marking.done():
            self._marking = asyncio.create_task(self._mark_soon(), name="realtime:mark-published")

    async def _mark_soon(self) -> None:
        await asyncio.sleep(MARK_EVERY)
        await self._mark()

    async def _mark(self) -> None:
        ids, self._sent = self._sent, []
        if not ids:
            return
        try:
            async with self._session_factory() as session:
                await outbox.mark_published(session, ids, self._clock.now())
                await session.commit()
        except Exception as exc:  # the relay sends them again; the hub drops duplicates
            error = f"{type(exc).__name__}: {exc}"
            log.warning("mark_published_failed", rows=len(ids), error=error)

    async def run(self) -> None:
        while True:
            batch = await self._queue.get()
            while not self._queue.empty() and len(batch) < 500:
                batch.extend(self._queue.get_nowait())
            try:
                await self.publish(batch)
            except Exception as exc:  # the relay publishes them once the broker is back
                log.warning("publish_failed", rows=len(batch), error=f"{type(exc).__name__}: {exc}")

    async def flush(self) -> None:
        """Publish what is queued now (at shutdown)."""
        batch: list[OutboxRow] = []
        while not self._queue.empty():
            batch.extend(self._queue.get_nowait())
        if batch:
            try:
                await self.publish(batch)
            except Exception as exc:
                log.warning("publish_failed", rows=len(batch), error=f"{type(exc).__name__}: {exc}")
        if self._marking is not None:
            self._marking.cancel()
            await asyncio.gather(self._marking, return_exceptions=True)
            self._marking = None
        await self._mark()


class Relay:
    """Publishes rows left unpublished; PostgreSQL's SKIP LOCKED lets every node share it."""

    def __init__(
        self,
        publisher: Publisher,
        session_factory: async_sessionmaker[AsyncSession],
        clock: Clock,
        settings: RealtimeSettings,
        metrics: RealtimeMetrics,
    ) -> None:
        self._publisher = publisher
        self._session_factory = session_factory
        self._clock = clock
        self._settings = settings
        self._metrics = metrics

    async def relay_once(self, limit: int = 500) -> int:
        """Publish one batch of leftovers; returns how many were published."""
        grace = timedelta(seconds=self._settings.relay_grace_seconds)
        async with self._session_factory() as session:
            rows = await outbox.claim_unpublished(session, self._clock.now() - grace, limit)
            if not rows:
                return 0
            await self._publisher.send(rows)
            await outbox.mark_published(session, [r.id for r in rows], self._clock.now())
            await session.commit()
        self._metrics.relayed.inc(len(rows))
        log.info("outbox_relayed", rows=len(rows))
        return len(rows)

    async def run(self) -> None:
        while True:
            try:
                while await self.relay_once() > 0:
                    pass
            except Exception as exc:  # broker or database down: try again next period
                log.warning("relay_failed", error=f"{type(exc).__name__}: {exc}")
            await asyncio.sleep(self._settings.relay_interval_seconds)


class Pruner:
    """Deletes published outbox rows and `send` receipts past the retention period."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        clock: Clock,
        settings: RealtimeSettings,
    ) -> None:
        self._session_factory = session_factory
        self._clock = clock
        self._settings = settings

    async def prune_once(self) -> int:
        before = self._clock.now() - timedelta(seconds=self._settings.outbox_retention_seconds)
        async with self._session_factory() as session:
            deleted = await outbox.prune(session, before)
            await session.commit()
        if deleted:
            log.info("outbox_pruned", rows=deleted)
        return deleted

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self._settings.prune_interval_seconds)
            await self.prune_once()
