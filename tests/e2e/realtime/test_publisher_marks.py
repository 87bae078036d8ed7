"""The publisher marks what it sent as published in one transaction per period, not per batch."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa

from edtech.realtime import relay
from edtech.realtime.infrastructure import outbox_event
from tests.integration.realtime.support import commit_posts, new_room
from tests.servers import LiveServer


async def marks(server: LiveServer, channel: str) -> list[object]:
    async with server.app.state.services.session_factory() as session:
        result = await session.execute(
            sa.select(outbox_event.c.published_at)
            .where(outbox_event.c.channel == channel)
            .order_by(outbox_event.c.offset)
        )
        return [at for (at,) in result]


async def test_batches_sent_within_a_period_are_marked_in_one_go(
    live_server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A period longer than the test: however slowly a loaded machine commits the five, they
    # all fall in it, and nothing may be marked before it ends (or the node stops).
    monkeypatch.setattr(relay, "MARK_EVERY", 3600.0)
    services = live_server.app.state.services
    publisher = live_server.app.state.realtime.publisher
    room = new_room()
    channel = f"test.room.{room}"
    for n in range(1, 6):  # five transactions: five batches for the publisher
        await commit_posts(services, room, [n])
    async with asyncio.timeout(10):
        while publisher.unmarked < 5:
            await asyncio.sleep(0.05)
    assert await marks(live_server, channel) == [None] * 5  # sent, not marked batch by batch
    await publisher.flush()  # the period ends (here: the node stops)
    stamped = await marks(live_server, channel)
    assert None not in stamped
    assert len(set(stamped)) == 1  # one UPDATE, one timestamp


async def test_what_was_sent_is_marked_when_the_node_stops(live_server: LiveServer) -> None:
    services = live_server.app.state.services
    room = new_room()
    await commit_posts(services, room, [1, 2])
    await live_server.app.state.realtime.publisher.flush()  # as the node's stop does
    assert None not in await marks(live_server, f"test.room.{room}")
