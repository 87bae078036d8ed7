"""The unit of work: the one owner of a transaction.

A use case opens it, changes aggregates through repositories bound to `uow.session`, and calls
`commit()`. The unit of work collects the events every aggregate it saw recorded (plus any
emitted directly), lets each `EventSink` stage them in the same transaction (the outbox), commits,
and then tells the sinks the commit happened (publish right away). Leaving the block without
committing rolls everything back: nothing is ever half-written.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from types import TracebackType
from typing import Protocol, Self

from sqlalchemy import event as sa_event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from edtech.kernel.events import Aggregate, DomainEvent


class EventSink(Protocol):
    """Receives a transaction's events: `stage` inside it, `committed` right after it.

    `event_types` names the public event types (`DomainEvent.type`) the sink acts on; the unit
    of work hands it only those, and calls neither method in a transaction that raised none of
    them. `None` means every event (the outbox)."""

    @property
    def event_types(self) -> frozenset[str] | None: ...

    async def stage(self, session: AsyncSession, events: Sequence[DomainEvent]) -> object: ...

    async def committed(self, staged: object) -> None: ...


def events_for(sink: EventSink, events: Sequence[DomainEvent]) -> list[DomainEvent]:
    """The events of `events` that `sink` declares it acts on, in their order."""
    wanted = sink.event_types
    if wanted is None:
        return list(events)
    return [event for event in events if event.type in wanted]


@dataclass(frozen=True)
class Raised:
    """What a sink's `stage` returns when staging raised events of its own (a roster change
    that changes attendance boards): the sinks after it in the node's list stage `events` in
    the same transaction, and the sink's `committed` gets `token`."""

    events: Sequence[DomainEvent]
    token: object = None


Staging = list[tuple[EventSink, object]]
"""Each sink that staged, with what its `committed` gets, in the sinks' order."""


async def stage_all(
    session: AsyncSession, sinks: Sequence[EventSink], events: Sequence[DomainEvent]
) -> tuple[Staging, list[DomainEvent]]:
    """Let each sink, in order, stage the events it acts on; events a sink raises (`Raised`)
    go to the sinks after it. Returns what was staged and every event, the raised ones last."""
    staged: Staging = []
    every = list(events)
    for sink in sinks:
        if not (mine := events_for(sink, every)):
            continue
        token = await sink.stage(session, mine)
        if isinstance(token, Raised):
            every.extend(token.events)
            token = token.token
        staged.append((sink, token))
    return staged, every


class UnitOfWork:
    """One transaction, its collected events, and the sinks they go to."""

    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], sinks: Sequence[EventSink] = ()
    ) -> None:
        self._session_factory = session_factory
        self._sinks = tuple(sinks)
        self._session: AsyncSession | None = None
        self._seen: dict[int, Aggregate] = {}
        self._emitted: list[DomainEvent] = []
        self._settled: list[DomainEvent] = []
        """Events taken at savepoints (`savepoint`), raised before any still on aggregates."""
        self.committed_events: list[DomainEvent] = []

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("unit of work used outside `async with`")
        return self._session

    async def __aenter__(self) -> Self:
        self._session = self._session_factory()
        self._seen = {}
        self._emitted = []
        self._settled = []
        self.committed_events = []
        # The identity map holds unchanged objects only weakly: an aggregate that recorded an
        # event could be garbage-collected (events and all) before commit. Keep every aggregate
        # this unit of work loads or adds alive until it ends.
        sync = self._session.sync_session
        sa_event.listen(sync, "loaded_as_persistent", self._keep)
        sa_event.listen(sync, "transient_to_pending", self._keep)
        return self

    def _keep(self, _session: Session, instance: object) -> None:
        if isinstance(instance, Aggregate):
            self._seen[id(instance)] = instance

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session, self._session = self.session, None
        self._seen = {}
        try:
            await session.rollback()
        finally:
            await session.close()

    def emit(self, event: DomainEvent) -> None:
        """Add an event that belongs to no loaded aggregate (it commits with the rest)."""
        self._emitted.append(event)

    def collect_events(self) -> list[DomainEvent]:
        """Take the events raised so far by the aggregates, in raise order (those of finished
        savepoints first); emitted ones last."""
        session = self.session
        aggregates = dict(self._seen)
        for obj in [*session.new, *session.identity_map.values()]:
            if isinstance(obj, Aggregate):
                aggregates[id(obj)] = obj
        stamped = [s for agg in aggregates.values() for s in agg.pull_stamped_events()]
        events = [*self._settled, *(event for _, event in sorted(stamped, key=lambda s: s[0]))]
        events.extend(self._emitted)
        self._emitted = []
        self._settled = []
        return events

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        """A part of the transaction that can fail alone (a SAVEPOINT): leaving the block by an
        exception rolls back its writes and drops the events raised in it, and the transaction
        goes on; leaving it normally keeps both. For work that shares one transaction with
        its neighbours' (`communication`'s group commit of chat messages): on PostgreSQL only,
        since Python's sqlite3 opens no transaction before a SAVEPOINT (its RELEASE would
        commit)."""
        before = self.collect_events()
        nested = await self.session.begin_nested()
        try:
            yield
            await nested.commit()
        except BaseException:
            await nested.rollback()
            self.collect_events()  # raised inside: rolled back with the rows
            self._settled = before
            raise
        self._settled = [*before, *self.collect_events()]

    async def commit(self) -> None:
        session = self.session
        await session.flush()
        staged, events = await stage_all(session, self._sinks, self.collect_events())
        await session.commit()
        self.committed_events.extend(events)
        for sink, token in staged:
            await sink.committed(token)

    async def rollback(self) -> None:
        await self.session.rollback()
        self._emitted = []
        self._settled = []
