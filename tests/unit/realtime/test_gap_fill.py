"""A node fills a hole in a channel from the database, and gives up only on offsets it read
for and did not find (pruned) — never on a hole that opened while it was reading."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from edtech.kernel.clock import SystemClock
from edtech.realtime import outbox
from edtech.realtime.hub import Hub, LocalChannel, Subscription
from edtech.realtime.metrics import RealtimeMetrics
from edtech.realtime.registry import ChannelType
from edtech.realtime.settings import RealtimeSettings
from edtech.realtime.supervisor import Background
from tests.unit.realtime.support import FakeSocket, anyone

CHANNEL = "t.c"


@dataclass(frozen=True)
class Row:
    offset: int

    def frame(self) -> str:
        return f"f{self.offset}"


@contextlib.asynccontextmanager
async def no_session() -> AsyncIterator[None]:
    yield None


def make_hub() -> tuple[Hub, LocalChannel, FakeSocket, Background]:
    background = Background()
    nothing: Any = None
    hub = Hub(
        broker=nothing,
        history=nothing,
        session_factory=no_session,  # type: ignore[arg-type]
        clock=SystemClock(),
        settings=RealtimeSettings(),
        metrics=RealtimeMetrics(CollectorRegistry()),
        background=background,
    )
    lc = LocalChannel(CHANNEL, ChannelType(CHANNEL, anyone, "t"), 1, "ep")
    sock = FakeSocket("a")
    lc.subs[sock] = Subscription(sock, after=0, pending=None)
    hub.channels[CHANNEL] = lc
    return hub, lc, sock, background


def heard(hub: Hub, offset: int) -> None:
    hub.on_message(CHANNEL, f"e{offset}|0|f{offset}")


async def settle(lc: LocalChannel) -> None:
    for _ in range(50):
        await asyncio.sleep(0.05)
        if lc.gap_task is None and not lc.ahead:
            return


async def test_a_hole_that_opens_during_the_read_is_read_for_not_skipped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Committed: 1..5. The broker brings 3, then 5 while the node reads 1..2 from the
    database; 4 is still on its way (another node publishes it late). 4 is in the database,
    so it must reach the socket — the old fill skipped it without looking."""
    hub, lc, sock, background = make_hub()
    committed = [Row(o) for o in range(1, 6)]
    reads: list[tuple[int, int]] = []

    async def read_range(session: object, channel: str, after: int, upto: int) -> list[Row]:
        reads.append((after, upto))
        if len(reads) == 1:
            heard(hub, 5)  # arrives while this read is on its way
            await asyncio.sleep(0)
        return [r for r in committed if after < r.offset <= upto]

    monkeypatch.setattr(outbox, "read_range", read_range)
    heard(hub, 3)
    await settle(lc)
    await background.stop()

    assert sock.frames == ["f1", "f2", "f3", "f4", "f5"]
    assert reads == [(0, 2), (3, 4)]
    assert lc.next_offset == 6


async def test_offsets_the_database_no_longer_has_are_given_up_and_the_rest_delivered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """1 and 2 were pruned: the node reads for them, finds nothing, and moves on to 3."""
    hub, lc, sock, background = make_hub()

    async def read_range(session: object, channel: str, after: int, upto: int) -> list[Row]:
        return []

    monkeypatch.setattr(outbox, "read_range", read_range)
    heard(hub, 3)
    heard(hub, 4)
    await settle(lc)
    await background.stop()

    assert sock.frames == ["f3", "f4"]
    assert (lc.next_offset, lc.ahead, lc.gap_task) == (5, {}, None)
