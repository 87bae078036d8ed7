"""The unit of work owns the transaction and hands the aggregates' events to its sinks."""

from __future__ import annotations

import gc
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import ClassVar

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import registry

from edtech.kernel.events import Aggregate, DomainEvent
from edtech.platform.db.uow import Raised, UnitOfWork

test_metadata = sa.MetaData()
counter_table = sa.Table(
    "uow_test_counter",
    test_metadata,
    sa.Column("id", sa.Uuid(), primary_key=True),
    sa.Column("value", sa.Integer(), nullable=False),
)


@dataclass(frozen=True, kw_only=True)
class CounterBumped(DomainEvent):
    type: ClassVar[str] = "test.counter_bumped"
    counter_id: uuid.UUID
    value: int


class Counter(Aggregate):
    def __init__(self, id: uuid.UUID, value: int = 0) -> None:
        self.id = id
        self.value = value

    def bump(self) -> None:
        self.value += 1
        self.record(
            CounterBumped(
                institution_id=uuid.UUID(int=0),
                occurred_at=datetime.now(UTC),
                counter_id=self.id,
                value=self.value,
            )
        )


registry().map_imperatively(Counter, counter_table)


class RecordingSink:
    def __init__(self, event_types: frozenset[str] | None = None) -> None:
        self.event_types = event_types
        self.staged: list[list[DomainEvent]] = []
        self.committed_tokens: list[object] = []
        self.saw_open_transaction = False

    async def stage(self, session: AsyncSession, events: Sequence[DomainEvent]) -> object:
        self.saw_open_transaction = session.in_transaction()
        self.staged.append(list(events))
        return len(self.staged)

    async def committed(self, staged: object) -> None:
        self.committed_tokens.append(staged)


async def test_commit_stages_events_in_the_transaction_then_reports_commit(
    factory: async_sessionmaker[AsyncSession],
) -> None:
    sink = RecordingSink()
    counter_id = uuid.uuid4()
    async with UnitOfWork(factory, [sink]) as uow:
        counter = Counter(counter_id)
        uow.session.add(counter)
        counter.bump()
        counter.bump()
        await uow.commit()
    assert sink.saw_open_transaction
    assert [e.value for e in sink.staged[0]] == [1, 2]  # type: ignore[attr-defined]
    assert sink.committed_tokens == [1]
    async with factory() as session:
        assert await session.scalar(sa.select(counter_table.c.value)) == 2


@dataclass(frozen=True, kw_only=True)
class CounterNoted(DomainEvent):
    type: ClassVar[str] = "test.counter_noted"
    note: str


async def test_a_sink_gets_only_the_event_types_it_declares(
    factory: async_sessionmaker[AsyncSession],
) -> None:
    """A sink that names its event types is handed only those, in raise order; a transaction
    that raised none of them calls neither its `stage` nor its `committed`."""
    everything = RecordingSink()
    bumps = RecordingSink(frozenset({CounterBumped.type}))
    notes = RecordingSink(frozenset({CounterNoted.type}))
    async with UnitOfWork(factory, [everything, bumps, notes]) as uow:
        counter = Counter(uuid.uuid4())
        uow.session.add(counter)
        counter.bump()
        uow.emit(
            CounterNoted(institution_id=uuid.UUID(int=0), occurred_at=datetime.now(UTC), note="n")
        )
        counter.bump()
        await uow.commit()
    assert [e.type for e in everything.staged[0]] == [
        CounterBumped.type,
        CounterBumped.type,
        CounterNoted.type,
    ]
    assert [e.value for e in bumps.staged[0]] == [1, 2]  # type: ignore[attr-defined]
    assert [e.type for e in notes.staged[0]] == [CounterNoted.type]
    async with UnitOfWork(factory, [everything, bumps, notes]) as uow:
        counter = Counter(uuid.uuid4())
        uow.session.add(counter)
        counter.bump()
        await uow.commit()
    assert len(everything.staged) == len(bumps.staged) == 2
    assert len(notes.staged) == 1  # not told of the second transaction at all
    assert notes.committed_tokens == [1]
    assert bumps.committed_tokens == [1, 2]


class NotingSink(RecordingSink):
    """Raises a `CounterNoted` for each bump it stages (as attendance's roster sink raises
    board changes for enrollments)."""

    async def stage(self, session: AsyncSession, events: Sequence[DomainEvent]) -> object:
        token = await super().stage(session, events)
        notes = [
            CounterNoted(institution_id=uuid.UUID(int=0), occurred_at=e.occurred_at, note="n")
            for e in events
        ]
        return Raised(notes, token)


async def test_events_a_sink_raises_go_to_the_sinks_after_it_in_the_transaction(
    factory: async_sessionmaker[AsyncSession],
) -> None:
    before = RecordingSink()
    noting = NotingSink(frozenset({CounterBumped.type}))
    after = RecordingSink()
    notes_only = RecordingSink(frozenset({CounterNoted.type}))
    async with UnitOfWork(factory, [before, noting, after, notes_only]) as uow:
        counter = Counter(uuid.uuid4())
        uow.session.add(counter)
        counter.bump()
        counter.bump()
        await uow.commit()
    assert [e.type for e in before.staged[0]] == [CounterBumped.type] * 2
    assert [e.type for e in after.staged[0]] == [CounterBumped.type] * 2 + [CounterNoted.type] * 2
    assert after.saw_open_transaction
    assert notes_only.saw_open_transaction
    assert [e.type for e in notes_only.staged[0]] == [CounterNoted.type] * 2
    assert noting.committed_tokens == [1]  # its own token, not the `Raised`
    assert [e.type for e in uow.committed_events] == [CounterBumped.type] * 2 + [
        CounterNoted.type
    ] * 2


async def test_events_of_loaded_aggregates_are_collected(
    factory: async_sessionmaker[AsyncSession],
) -> None:
    counter_id = uuid.uuid4()
    async with UnitOfWork(factory) as uow:
        uow.session.add(Counter(counter_id))
        await uow.commit()
    sink = RecordingSink()
    async with UnitOfWork(factory, [sink]) as uow:
        loaded = await uow.session.get(Counter, counter_id)
        assert loaded is not None
        loaded.bump()
        await uow.commit()
    assert [type(e) for e in sink.staged[0]] == [CounterBumped]


async def test_leaving_without_commit_rolls_back_and_publishes_nothing(
    factory: async_sessionmaker[AsyncSession],
) -> None:
    sink = RecordingSink()

    async def failing_use_case() -> None:
        async with UnitOfWork(factory, [sink]) as uow:
            counter = Counter(uuid.uuid4())
            uow.session.add(counter)
            counter.bump()
            await uow.session.flush()
            raise RuntimeError("use case failed half-way")

    with pytest.raises(RuntimeError):
        await failing_use_case()
    assert sink.staged == []
    assert sink.committed_tokens == []
    async with factory() as session:
        assert await session.scalar(sa.select(sa.func.count()).select_from(counter_table)) == 0


async def test_a_failing_sink_aborts_the_commit(
    factory: async_sessionmaker[AsyncSession],
) -> None:
    class BrokenSink(RecordingSink):
        async def stage(self, session: AsyncSession, events: Sequence[DomainEvent]) -> object:
            raise RuntimeError("outbox unavailable")

    async def use_case() -> None:
        async with UnitOfWork(factory, [BrokenSink()]) as uow:
            counter = Counter(uuid.uuid4())
            uow.session.add(counter)
            counter.bump()
            await uow.commit()

    with pytest.raises(RuntimeError, match="outbox"):
        await use_case()
    async with factory() as session:
        assert await session.scalar(sa.select(sa.func.count()).select_from(counter_table)) == 0


async def test_events_survive_when_the_use_case_drops_its_references(
    factory: async_sessionmaker[AsyncSession],
) -> None:
    """The identity map holds clean objects weakly; their recorded events must not vanish."""
    async with UnitOfWork(factory) as uow:
        for _ in range(3):
            uow.session.add(Counter(uuid.uuid4(), value=10))
        await uow.commit()
    sink = RecordingSink()
    async with UnitOfWork(factory, [sink]) as uow:
        for counter in (await uow.session.scalars(sa.select(Counter))).all():
            counter.bump()
        await uow.session.flush()  # the changes are written: the objects are clean again
        del counter
        gc.collect()
        await uow.commit()
    assert sorted(e.value for e in sink.staged[0]) == [11, 11, 11]  # type: ignore[attr-defined]


async def test_events_of_several_aggregates_keep_their_raise_order(
    factory: async_sessionmaker[AsyncSession],
) -> None:
    sink = RecordingSink()
    async with UnitOfWork(factory, [sink]) as uow:
        first, second = Counter(uuid.uuid4()), Counter(uuid.uuid4())
        uow.session.add_all([first, second])
        second.bump()
        first.bump()
        second.bump()
        await uow.commit()
    assert [(e.counter_id, e.value) for e in sink.staged[0]] == [  # type: ignore[attr-defined]
        (second.id, 1),
        (first.id, 1),
        (second.id, 2),
    ]


class Refused(Exception):
    pass


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)  # savepoints there only
async def test_a_savepoint_that_fails_takes_its_rows_and_events_with_it(
    factory: async_sessionmaker[AsyncSession],
) -> None:
    """Leaving a savepoint by an exception rolls back its writes and drops the events raised
    in it, and the transaction goes on; the events around it keep their order."""
    sink = RecordingSink()
    kept, dropped, late = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    async with UnitOfWork(factory, [sink]) as uow:
        before = Counter(kept)
        uow.session.add(before)
        before.bump()
        async with uow.savepoint():
            before.bump()
        lost = Counter(dropped)

        async def refused_after_writing() -> None:
            async with uow.savepoint():
                uow.session.add(lost)
                lost.bump()
                uow.emit(
                    CounterNoted(
                        institution_id=uuid.UUID(int=0), occurred_at=datetime.now(UTC), note="x"
                    )
                )
                await uow.session.flush()
                raise Refused

        with pytest.raises(Refused):
            await refused_after_writing()
        after = Counter(late)
        uow.session.add(after)
        after.bump()
        await uow.commit()
    staged = sink.staged[0]
    assert [(e.counter_id, e.value) for e in staged] == [  # type: ignore[attr-defined]
        (kept, 1),
        (kept, 2),
        (late, 1),
    ]
    async with factory() as session:
        rows = {r.id: r.value for r in await session.execute(sa.select(counter_table))}
    assert rows == {kept: 2, late: 1}
