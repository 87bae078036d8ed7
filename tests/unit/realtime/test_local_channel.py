"""A node delivers each channel strictly in offset order: duplicates dropped, gaps held."""

from __future__ import annotations

from edtech.realtime.hub import LocalChannel, Subscription
from edtech.realtime.registry import ChannelType
from tests.unit.realtime.support import FakeSocket, anyone


def channel(next_offset: int = 1) -> LocalChannel:
    return LocalChannel("t.c", ChannelType("t.c", anyone, "t"), next_offset, "ep")


def test_in_order_events_are_delivered_and_duplicates_dropped() -> None:
    lc, sock = channel(), FakeSocket("a")
    lc.subs[sock] = Subscription(sock, after=0, pending=None)
    for offset in (1, 2, 2, 1, 3):
        lc.accept(offset, f"f{offset}")
    assert sock.frames == ["f1", "f2", "f3"]


def test_an_event_ahead_of_a_gap_waits_for_the_gap() -> None:
    lc, sock = channel(), FakeSocket("a")
    lc.subs[sock] = Subscription(sock, after=0, pending=None)
    assert lc.accept(3, "f3") == 0
    assert lc.accept(2, "f2") == 0
    assert sock.frames == []
    assert lc.accept(1, "f1") == 3
    assert sock.frames == ["f1", "f2", "f3"]
    assert lc.ahead == {}


def test_skip_missing_gives_up_on_lost_offsets() -> None:
    lc, sock = channel(), FakeSocket("a")
    lc.subs[sock] = Subscription(sock, after=0, pending=None)
    lc.accept(4, "f4")
    lc.accept(5, "f5")
    assert lc.skip_missing(3) == 2
    assert sock.frames == ["f4", "f5"]
    assert lc.next_offset == 6


def test_skip_missing_never_jumps_past_an_event_it_holds() -> None:
    """Holes at 1 and 3 (pruned); 2 and 4 are held: both are delivered, in order."""
    lc, sock = channel(), FakeSocket("a")
    lc.subs[sock] = Subscription(sock, after=0, pending=None)
    lc.accept(4, "f4")
    lc.accept(2, "f2")
    assert lc.skip_missing(4) == 2
    assert sock.frames == ["f2", "f4"]
    assert (lc.next_offset, lc.ahead) == (5, {})


def test_recovering_subscriber_holds_live_events_and_others_do_not_wait() -> None:
    lc, live, recovering = channel(), FakeSocket("a"), FakeSocket("b")
    lc.subs[live] = Subscription(live, after=0, pending=None)
    lc.subs[recovering] = Subscription(recovering, after=0)
    lc.accept(1, "f1")
    assert live.frames == ["f1"]
    assert recovering.frames == []
    assert lc.subs[recovering].pending == [(1, "f1")]


def test_subscriber_gets_only_offsets_after_its_threshold() -> None:
    lc, sock = channel(), FakeSocket("a")
    lc.subs[sock] = Subscription(sock, after=2, pending=None)
    for offset in (1, 2, 3):
        lc.accept(offset, f"f{offset}")
    assert sock.frames == ["f3"]


def test_signals_skip_the_sender() -> None:
    lc, a, b = channel(), FakeSocket("a"), FakeSocket("b")
    lc.subs[a] = Subscription(a, after=0, pending=None)
    lc.subs[b] = Subscription(b, after=0, pending=None)
    lc.broadcast("typing", exclude="a")
    assert (a.frames, b.frames) == ([], ["typing"])
