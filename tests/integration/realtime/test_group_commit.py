"""Group commit of event-only writes (`EventCommitter`) on both dialects: concurrent callers
share transactions, offsets stay gapless in arrival order, a failed batch fails every caller
of it, and stopping lets the queued batches commit."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from fastapi import FastAPI

from edtech.platform.db.group_commit import EventCommitter
from edtech.platform.db.uow import UnitOfWork
from edtech.realtime.infrastructure import outbox_event
from edtech.realtime.outbox import OutboxRow
from edtech.settings import Settings
from tests.integration.realtime.support import TENANT_A, RoomPosted, new_room, realtime_app


class GatedUnitOfWork(UnitOfWork):
    """A unit of work whose commit waits for `gate`: holds a transaction under way while the
    test queues the callers of the next one."""

    gate: asyncio.Event

    async def commit(self) -> None:
        await self.gate.wait()
        await super().commit()


def gated(app: FastAPI, gate: asyncio.Event) -> Callable[[], UnitOfWork]:
    services = app.state.services

    def build() -> UnitOfWork:
        uow = GatedUnitOfWork(services.session_factory, services.sinks)
        uow.gate = gate
        return uow

    return build


def posted(room: uuid.UUID, n: int, at: datetime | None = None) -> RoomPosted:
    return RoomPosted(
        institution_id=TENANT_A, occurred_at=at or datetime.now(UTC), room_id=room, n=n
    )


async def stored(app: FastAPI, room: uuid.UUID) -> list[tuple[int, int]]:
    """(offset, n) of the room's durable channel, in offset order."""
    async with app.state.services.session_factory() as session:
        result = await session.execute(
            sa.select(outbox_event.c.offset, outbox_event.c.data["n"].as_integer())
            .where(outbox_event.c.channel == f"test.room.{room}")
            .order_by(outbox_event.c.offset)
        )
        return [(int(o), int(n)) for o, n in result]


async def until_queued(committer: EventCommitter, count: int) -> None:
    async with asyncio.timeout(10):
        while len(committer._queue) < count:
            await asyncio.sleep(0)


async def test_callers_queued_behind_a_transaction_share_the_next_in_arrival_order(
    settings: Settings,
) -> None:
    app = realtime_app(settings)
    gate = asyncio.Event()
    committer = EventCommitter(gated(app, gate))
    room = new_room()
    first = asyncio.create_task(committer.commit([posted(room, 0)]))
    await until_queued(committer, 0)  # the first caller's transaction is under way
    await asyncio.sleep(0)
    rest = [asyncio.create_task(committer.commit([posted(room, n)])) for n in range(1, 21)]
    await until_queued(committer, 20)
    assert await stored(app, room) == []  # nobody is answered before their commit
    gate.set()
    await asyncio.wait_for(asyncio.gather(first, *rest), 30)
    assert committer.transactions == 2
    assert await stored(app, room) == [(n + 1, n) for n in range(21)]
    await app.state.services.engine.dispose()


async def test_a_failed_transaction_fails_every_caller_of_it_and_commits_none_of_their_events(
    settings: Settings,
) -> None:
    app = realtime_app(settings)
    gate = asyncio.Event()
    committer = EventCommitter(gated(app, gate))
    room = new_room()
    first = asyncio.create_task(committer.commit([posted(room, 0)]))
    await asyncio.sleep(0)
    naive = datetime.now(UTC).replace(tzinfo=None)  # refused by the outbox: fails the batch
    batch = [
        asyncio.create_task(committer.commit([posted(room, 1)])),
        asyncio.create_task(committer.commit([posted(room, 2, at=naive)])),
        asyncio.create_task(committer.commit([posted(room, 3), posted(room, 4)])),
    ]
    await until_queued(committer, 3)
    gate.set()
    await asyncio.wait_for(first, 30)
    results = await asyncio.wait_for(asyncio.gather(*batch, return_exceptions=True), 30)
    assert isinstance(results[0], Exception)  # the naive datetime's, as the dialect wraps it
    assert all(r is results[0] for r in results)
    await committer.commit([posted(room, 5)])  # the next transaction goes on, gapless
    assert await stored(app, room) == [(1, 0), (2, 5)]
    await app.state.services.engine.dispose()


async def test_a_caller_that_left_before_its_transaction_began_is_not_committed(
    settings: Settings,
) -> None:
    app = realtime_app(settings)
    gate = asyncio.Event()
    committer = EventCommitter(gated(app, gate))
    room = new_room()
    first = asyncio.create_task(committer.commit([posted(room, 0)]))
    await asyncio.sleep(0)
    stays = asyncio.create_task(committer.commit([posted(room, 1)]))
    leaves = asyncio.create_task(committer.commit([posted(room, 2)]))
    await until_queued(committer, 2)
    leaves.cancel()
    gate.set()
    await asyncio.wait_for(asyncio.gather(first, stays), 30)
    assert leaves.cancelled()
    assert await stored(app, room) == [(1, 0), (2, 1)]
    await app.state.services.engine.dispose()


async def test_stop_lets_queued_callers_commit_then_refuses_new_ones(settings: Settings) -> None:
    app = realtime_app(settings)
    gate = asyncio.Event()
    committer = EventCommitter(gated(app, gate))
    room = new_room()
    callers = [asyncio.create_task(committer.commit([posted(room, 0)]))]
    await asyncio.sleep(0)
    callers += [asyncio.create_task(committer.commit([posted(room, n)])) for n in range(1, 6)]
    await until_queued(committer, 5)
    stopping = asyncio.create_task(committer.stop())
    await asyncio.sleep(0)
    gate.set()
    await asyncio.wait_for(stopping, 30)
    assert all(c.done() and c.exception() is None for c in callers)
    assert await stored(app, room) == [(n + 1, n) for n in range(6)]
    with pytest.raises(RuntimeError):
        await committer.commit([posted(room, 6)])
    await app.state.services.engine.dispose()


async def test_the_node_commits_concurrent_callers_together_and_publishes_after_commit(
    settings: Settings,
) -> None:
    app = realtime_app(settings)
    services = app.state.services
    committer = services.components.get(EventCommitter)
    room = new_room()
    durable = f"test.room.{room}"
    published: list[list[int]] = []
    submit = app.state.realtime.publisher.submit

    def recording(rows: list[OutboxRow]) -> None:
        published.append([r.offset for r in rows if r.channel == durable])
        submit(rows)

    app.state.realtime.publisher.submit = recording
    await asyncio.gather(*(committer.commit([posted(room, n)]) for n in range(5)))
    assert committer.transactions == 1
    assert published == [[1, 2, 3, 4, 5]]  # one publish, of the committed batch
    assert await stored(app, room) == [(n + 1, n) for n in range(5)]
    await committer.stop()
    await services.engine.dispose()


async def test_with_two_in_flight_a_caller_does_not_wait_for_the_transaction_under_way(
    settings: Settings,
) -> None:
    app = realtime_app(settings)
    services = app.state.services
    gate = asyncio.Event()

    def first_held() -> UnitOfWork:  # the first transaction waits for the gate, later ones not
        if committer.transactions == 0 and not held:
            held.append(True)
            return gated(app, gate)()
        return services.uow()

    held: list[bool] = []
    committer = EventCommitter(first_held, in_flight=2)
    room = new_room()
    first = asyncio.create_task(committer.commit([posted(room, 0)]))
    await asyncio.sleep(0)
    await asyncio.wait_for(committer.commit([posted(room, 1)]), 30)
    assert not first.done()
    assert await stored(app, room) == [(1, 1)]
    gate.set()
    await asyncio.wait_for(first, 30)
    assert await stored(app, room) == [(1, 1), (2, 0)]  # commit order, gapless
    await services.engine.dispose()
