"""The unit of work's `EventSink`: routed events become outbox rows with their channel offsets
in the same transaction, and are handed to the publisher right after commit.

`stage` answers what it staged (`Staged`): a websocket command stages its events itself and reads
the offsets they got there, inside its transaction (`commands`)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from edtech.kernel.clock import Clock
from edtech.kernel.events import DomainEvent
from edtech.realtime import outbox
from edtech.realtime.outbox import OutboxRow
from edtech.realtime.registry import ChannelRegistry
from edtech.realtime.relay import Publisher


@dataclass(frozen=True)
class Staged:
    """A transaction's outbox rows (offsets allocated, not yet committed), whose access its
    events may have withdrawn, and which institutions' sockets they close."""

    rows: list[OutboxRow]
    affected: frozenset[uuid.UUID] = frozenset()
    closed: frozenset[uuid.UUID] = frozenset()

    def first_offset(self, channel: str) -> int | None:
        """The offset of the transaction's first event on `channel` (None if it put none)."""
        return next((r.offset for r in self.rows if r.channel == channel), None)


class OutboxSink:
    """Stages each (event, channel) as an outbox row; publishes the rows once committed."""

    event_types = None

    def __init__(
        self,
        registry: ChannelRegistry,
        publisher: Publisher,
        clock: Clock,
        reauthorize: Callable[[frozenset[uuid.UUID]], None] | None = None,
        close_institutions: Callable[[frozenset[uuid.UUID]], None] | None = None,
    ) -> None:
        self._registry = registry
        self._publisher = publisher
        self._clock = clock
        self._reauthorize = reauthorize
        self._close_institutions = close_institutions

    async def stage(self, session: AsyncSession, events: Sequence[DomainEvent]) -> Staged:
        by_channel: dict[str, list[tuple[DomainEvent, Mapping[str, Any]]]] = {}
        for event in events:
            for resolved, data in self._registry.deliveries(event):
                by_channel.setdefault(resolved.name, []).append((event, data))
        affected = self._registry.affected_people(events)
        closed = self._registry.closed_institutions(events)
        if not by_channel:
            return Staged([], affected, closed)
        # One round trip on PostgreSQL (`outbox.append`); it locks the channels in name order,
        # so two transactions touching the same channels queue rather than deadlock.
        rows = await outbox.append(
            session,
            [
                outbox.NewRow(channel, event.type, data, event.institution_id, event.occurred_at)
                for channel, items in by_channel.items()
                for event, data in items
            ],
            self._clock.now(),
        )
        return Staged(rows, affected, closed)

    async def committed(self, staged: object) -> None:
        assert isinstance(staged, Staged)
        if staged.rows:
            self._publisher.submit(staged.rows)
        if staged.affected and self._reauthorize is not None:
            self._reauthorize(staged.affected)
        if staged.closed and self._close_institutions is not None:
            self._close_institutions(staged.closed)
