"""The outbox on both dialects: gapless per-channel offsets, relay of leftovers, pruning."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from fastapi import FastAPI

from edtech.realtime.infrastructure import outbox_event
from edtech.settings import Settings
from tests.integration.realtime.support import (
    TENANT_A,
    RoomPosted,
    commit_posts,
    new_room,
    realtime_app,
)


def make_app(settings: Settings) -> FastAPI:
    return realtime_app(settings)


async def rows(app: FastAPI, channel: str) -> list[tuple[int, int, bool]]:
    async with app.state.services.session_factory() as session:
        result = await session.execute(
            sa.select(
                outbox_event.c.offset,
                outbox_event.c.data["n"].as_integer(),
                outbox_event.c.published_at.is_not(None),
            )
            .where(outbox_event.c.channel == channel)
            .order_by(outbox_event.c.offset)
        )
        return [(int(o), int(n), bool(p)) for o, n, p in result]


async def test_concurrent_transactions_get_gapless_offsets_in_commit_order(
    settings: Settings,
) -> None:
    app = make_app(settings)
    services = app.state.services
    room = new_room()
    channel = f"test.room.{room}"
    writing = True
    seen: list[list[int]] = []

    async def write(n: int) -> None:
        async with services.uow() as uow:
            uow.emit(
                RoomPosted(
                    institution_id=TENANT_A, occurred_at=datetime.now(UTC), room_id=room, n=n
                )
            )
            await asyncio.sleep(0.001 * (n % 3))
            await uow.commit()

    async def watch() -> None:
        # Offsets follow commit order when a reader, at any moment, sees offsets 1..k and never
        # one committed ahead of a lower one still in flight. (Timing the COMMIT replies from
        # Python cannot show the order: a backend can release its locks, let the next
        # transaction commit and answer, and only then send its own reply.)
        while writing:
            seen.append([o for o, _n, _p in await rows(app, channel)])
            await asyncio.sleep(0)

    watcher = asyncio.create_task(watch())
    await asyncio.gather(*(write(n) for n in range(20)))
    writing = False
    await watcher
    stored = await rows(app, channel)
    assert [o for o, _n, _p in stored] == list(range(1, 21))
    assert sorted(n for _o, n, _p in stored) == list(range(20))
    holes = [s for s in seen if s != list(range(1, len(s) + 1))]
    assert holes == []
    await services.engine.dispose()


async def test_transactions_over_many_shared_channels_stay_gapless_without_deadlock(
    settings: Settings,
) -> None:
    """Each transaction posts to several of the same channels, emitted in different orders:
    one allocating statement locks them in name order, so nobody deadlocks, every channel ends
    with offsets 1..k, and any two transactions are in the same order on every channel they
    share (the order they committed in)."""
    app = make_app(settings)
    services = app.state.services
    rooms = [new_room() for _ in range(6)]
    posted: dict[uuid.UUID, set[int]] = {room: set() for room in rooms}

    async def write(n: int) -> None:
        mine = rooms[n % 3 :] if n % 2 else list(reversed(rooms))[: 4 + n % 3]
        async with services.uow() as uow:
            for room in mine:
                uow.emit(
                    RoomPosted(
                        institution_id=TENANT_A, occurred_at=datetime.now(UTC), room_id=room, n=n
                    )
                )
            await asyncio.sleep(0.001 * (n % 4))
            await uow.commit()
        for room in mine:
            posted[room].add(n)

    await asyncio.wait_for(asyncio.gather(*(write(n) for n in range(24))), 60)
    order: dict[uuid.UUID, list[int]] = {}
    for room in rooms:
        stored = await rows(app, f"test.room.{room}")
        assert [o for o, _n, _p in stored] == list(range(1, len(posted[room]) + 1))
        order[room] = [n for _o, n, _p in stored]
        assert sorted(order[room]) == sorted(posted[room])
    for a in rooms:
        for b in rooms:
            shared = posted[a] & posted[b]
            assert [n for n in order[a] if n in shared] == [n for n in order[b] if n in shared]
    await services.engine.dispose()


async def test_rolled_back_transaction_uses_no_offset(settings: Settings) -> None:
    app = make_app(settings)
    services = app.state.services
    room = new_room()
    async with services.uow() as uow:
        uow.emit(
            RoomPosted(institution_id=TENANT_A, occurred_at=datetime.now(UTC), room_id=room, n=0)
        )
        await uow.session.flush()  # leave without commit: rolled back
    await commit_posts(services, room, [1])
    assert await rows(app, f"test.room.{room}") == [(1, 1, False)]
    await services.engine.dispose()


async def test_relay_publishes_leftovers_in_offset_order_then_marks_them(
    settings: Settings,
) -> None:
    app = make_app(settings)
    rt = app.state.realtime
    rt.settings.relay_grace_seconds = 0
    services = app.state.services
    room = new_room()
    await commit_posts(services, room, [1, 2, 3])  # nobody publishes: the node is not started
    assert [p for *_x, p in await rows(app, f"test.room.{room}")] == [False] * 3
    await rt.hub.broker.connect()
    try:
        assert await rt.relay.relay_once() == 6  # 3 events x (room + flash) channels
        assert [p for *_x, p in await rows(app, f"test.room.{room}")] == [True] * 3
        assert await rt.relay.relay_once() == 0
        history = await rt.history.read(f"test.room.{room}", 0)
        assert sorted(history) == [1, 2, 3]
    finally:
        await rt.hub.broker.disconnect()
        await services.engine.dispose()


async def test_pruner_deletes_published_rows_past_retention_only(settings: Settings) -> None:
    app = make_app(settings)
    rt = app.state.realtime
    services = app.state.services
    room = new_room()
    await commit_posts(services, room, [1, 2])
    old = datetime.now(UTC) - timedelta(days=30)
    async with services.session_factory() as session:
        await session.execute(
            sa.update(outbox_event)
            .where(outbox_event.c.channel == f"test.room.{room}", outbox_event.c.offset == 1)
            .values(created_at=old, published_at=old)
        )
        await session.execute(
            sa.update(outbox_event)
            .where(outbox_event.c.channel == f"test.room.{room}", outbox_event.c.offset == 2)
            .values(created_at=old)  # old but never published: kept for the relay
        )
        await session.commit()
    assert await rt.pruner.prune_once() == 1
    assert [o for o, *_x in await rows(app, f"test.room.{room}")] == [2]
    await services.engine.dispose()


async def test_events_without_routes_write_no_rows(settings: Settings) -> None:
    app = make_app(settings)
    services = app.state.services

    class Unrouted(RoomPosted):
        pass

    async with services.uow() as uow:
        uow.emit(
            Unrouted(
                institution_id=TENANT_A, occurred_at=datetime.now(UTC), room_id=uuid.uuid4(), n=1
            )
        )
        await uow.commit()
    async with services.session_factory() as session:
        count = (
            await session.execute(sa.select(sa.func.count()).select_from(outbox_event))
        ).scalar()
    assert count == 0
    await services.engine.dispose()


async def test_append_numbers_interleaved_channels_and_returns_the_stored_rows(
    settings: Settings,
) -> None:
    from edtech.realtime import outbox

    app = make_app(settings)
    factory = app.state.services.session_factory
    a, b = sorted([f"test.room.{new_room()}", f"test.room.{new_room()}"])
    now = datetime.now(UTC)

    def new(channel: str, n: int) -> outbox.NewRow:
        return outbox.NewRow(channel, "room.posted", {"n": n, "who": "é"}, TENANT_A, now)

    async with factory() as session:
        first = await outbox.append(session, [new(b, 1), new(a, 2), new(b, 3)], now)
        await session.commit()
    async with factory() as session:
        second = await outbox.append(session, [new(a, 4), new(b, 5)], now)
        await session.commit()

    # Channel-name order, each channel's events in the order given, offsets gapless.
    assert [(r.channel, r.offset, r.data["n"]) for r in first] == [
        (a, 1, 2),
        (b, 1, 1),
        (b, 2, 3),
    ]
    assert [(r.channel, r.offset, r.data["n"]) for r in second] == [(a, 2, 4), (b, 3, 5)]
    async with factory() as session:
        stored = {
            int(i): (c, int(o), d)
            for i, c, o, d in await session.execute(
                sa.select(
                    outbox_event.c.id, outbox_event.c.channel, outbox_event.c.offset,
                    outbox_event.c.data,
                ).where(outbox_event.c.channel.in_([a, b]))
            )
        }  # fmt: skip
    assert stored == {r.id: (r.channel, r.offset, dict(r.data)) for r in [*first, *second]}
    await app.state.services.engine.dispose()
