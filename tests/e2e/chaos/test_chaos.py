"""Faults on the real topology while events flow: Redis killed, Redis paused (half-open), a node
killed -9, a node restarted in the middle of a client's recovery, PostgreSQL restarted, a slow
consumer, a reconnect storm. Each time: nothing committed is lost (checked by offsets against
the database), and each node's /readyz says the truth (red while it cannot reach its broker or
database, green after)."""

from __future__ import annotations

import asyncio
import os
import signal
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from tests.e2e.chaos.harness import (
    ChaosClient,
    Publisher,
    ReadinessWatch,
    Verdict,
    check,
    final_offsets,
)
from tests.e2e.chaos.topology import FULL, Chaos

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.asyncio(loop_scope="module"),
]

CHANNELS = 3
CLIENTS = 6
STORM_CLIENTS = 2000 if FULL else 300
CATCH_UP_SECONDS = 60.0


def new_channels() -> list[str]:
    return [f"chaos.room.{uuid.uuid4()}" for _ in range(CHANNELS)]


@dataclass
class Run:
    """One fault under load: the channels, clients, publisher and readiness watch."""

    chaos: Chaos
    fault: str
    what: str
    channels: list[str] = field(default_factory=new_channels)
    clients: list[ChaosClient] = field(default_factory=list)
    publisher: Publisher | None = None
    watch: ReadinessWatch | None = None
    started: float = field(default_factory=time.monotonic)
    fault_at: float = 0.0
    healed_at: float = 0.0
    finals: dict[str, int] = field(default_factory=dict)
    verdict: Verdict = field(default_factory=Verdict)
    extra: dict[str, Any] = field(default_factory=dict)

    def client(self, url: str | None = None, **kw: Any) -> ChaosClient:
        c = ChaosClient(
            url or self.chaos.ws_url,
            self.chaos.token,
            kw.pop("channels", self.channels),
            name=f"c{len(self.clients)}",
            **kw,
        )
        self.clients.append(c.start())
        return c

    async def begin(self, clients: int = CLIENTS, **publisher: Any) -> None:
        for _ in range(clients):
            self.client()
        await self.subscribed(self.clients)
        self.watch = ReadinessWatch(self.chaos.node_urls()).start()
        self.publisher = Publisher(
            self.chaos.ws_url, self.chaos.token, self.channels, **publisher
        ).start()

    async def subscribed(self, clients: list[ChaosClient], timeout: float = 60) -> None:
        await asyncio.wait_for(asyncio.gather(*(c.subscribed.wait() for c in clients)), timeout)

    async def flowing(self, at_least: int = 10, timeout: float = 30) -> None:
        """Until the publisher has committed `at_least` more events (events flow through it)."""
        assert self.publisher is not None
        target = self.publisher.total() + at_least
        deadline = time.monotonic() + timeout
        while self.publisher.total() < target:
            assert time.monotonic() < deadline, f"no events flow: {self.publisher.retries}"
            await asyncio.sleep(0.05)

    async def inject(self, fault: Callable[[], Awaitable[None]]) -> None:
        self.fault_at = time.monotonic()
        await fault()
        self.healed_at = time.monotonic()

    async def finish(self) -> Verdict:
        """Stop publishing, let every client catch up, check, stop everything, keep figures."""
        assert self.publisher is not None
        assert self.watch is not None
        await self.publisher.stop()
        self.finals = await final_offsets(self.chaos.pg.url, self.channels)
        for channel, final in self.finals.items():
            acknowledged = self.publisher.committed.get(channel, 0)
            assert acknowledged <= final <= acknowledged + self.publisher.in_flight[channel], (
                channel,
                acknowledged,
                final,
            )
        await asyncio.gather(*(c.caught_up(self.finals, CATCH_UP_SECONDS) for c in self.clients))
        await self.watch.wait_ready(30)
        assert not self.publisher.wrong_offsets, self.publisher.wrong_offsets[:5]
        self.verdict = check(self.clients, self.finals)
        await asyncio.gather(*(c.stop() for c in self.clients))
        await self.watch.stop()
        return self.verdict

    def red(self, node: str, check_name: str) -> tuple[float | None, float | None]:
        """Seconds from the fault to the first 503 naming `check_name`, and from the end of
        the fault to the first 200 after it."""
        assert self.watch is not None
        to_red = self.watch.first(node, self.fault_at, "503", check_name)
        to_green = self.watch.first(node, self.healed_at, "200")
        return to_red, to_green

    def readiness(self, check_name: str) -> dict[str, tuple[float | None, float | None]]:
        """Per node, seconds to red (naming `check_name`) and back to green; into the figures."""
        result = {node: self.red(node, check_name) for node in self.chaos.node_urls()}
        for node, (to_red, to_green) in result.items():
            self.extra[f"{node} /readyz red after / green again after"] = (
                f"{seconds(to_red)} / {seconds(to_green)}"
            )
        return result

    def answers(self, node: str) -> set[str]:
        """What `node`'s /readyz answered during the run (counted into the figures)."""
        assert self.watch is not None
        codes = [code for _, code, _ in self.watch.samples[node]]
        self.extra[f"{node} /readyz answers"] = {c: codes.count(c) for c in sorted(set(codes))}
        return set(codes)

    def record(self) -> None:
        """Keep the figures for the report (before the assertions, so a failure has them too)."""
        assert self.publisher is not None
        v = self.verdict
        reconnects = sum(max(0, c.connects - 1) for c in self.clients)
        figures: dict[str, Any] = {
            "clients": len(self.clients),
            "channels": len(self.channels),
            "events committed": v.events,
            "deliveries checked": v.deliveries,
            "**lost**": v.lost,
            "out of order": v.out_of_order,
            "duplicates dropped by offset": v.duplicates_dropped,
            "`recovered: false` (gaps / events)": f"{v.unrecovered_gaps} / {v.unrecovered_events}",
            "client reconnects": reconnects,
            "publisher retries": dict(self.publisher.retries) or 0,
            "retries answered `duplicate`": self.publisher.duplicates_answered,
            "fault lasted": f"{self.healed_at - self.fault_at:.1f} s",
            **self.extra,
            "run duration": f"{time.monotonic() - self.started:.1f} s",
        }
        self.chaos.figures.append({"fault": self.fault, "what": self.what, "figures": figures})

    def assert_nothing_lost(self) -> None:
        self.record()
        v = self.verdict
        assert v.events > 0
        assert (v.lost, v.out_of_order, v.wrong_payload) == (0, 0, 0), v.details[:10]


async def node_metric(node_url: str, name: str) -> float:
    """A counter from a node's own /metrics (0 before it first counts)."""
    async with httpx.AsyncClient(timeout=10) as http:
        text = (await http.get(f"{node_url}/metrics")).text
    for line in text.splitlines():
        if line.startswith(f"{name} "):
            return float(line.split()[1])
    return 0.0


def seconds(value: float | None) -> str:
    return "never" if value is None else f"{value:.1f} s"


async def test_redis_killed_and_restarted(chaos: Chaos) -> None:
    run = Run(chaos, "Redis killed and restarted", "`kill -9` of Redis for 3 s, then restarted.")
    await run.begin()
    await run.flowing()

    async def outage() -> None:
        await chaos.redis.kill()
        await asyncio.sleep(3)
        await chaos.redis.start()

    await run.inject(outage)
    await run.flowing()
    await run.finish()
    readiness = run.readiness("broker")
    run.assert_nothing_lost()
    for node, (to_red, to_green) in readiness.items():
        assert to_red is not None, (node, run.watch and run.watch.tail())
        assert to_green is not None, (node, run.watch and run.watch.tail())


async def test_redis_paused_longer_than_the_probe(chaos: Chaos) -> None:
    run = Run(
        chaos,
        "Redis paused (half-open)",
        "Redis stopped with SIGSTOP for 4 s (its sockets stay open, nothing answers; the "
        "broker probe goes stale after 2 s), then SIGCONT.",
    )
    await run.begin()
    await run.flowing()
    assert chaos.redis.proc is not None
    pid = chaos.redis.proc.pid

    async def pause() -> None:
        os.kill(pid, signal.SIGSTOP)
        try:
            await asyncio.sleep(4)
        finally:
            os.kill(pid, signal.SIGCONT)

    await run.inject(pause)
    await run.flowing()
    await run.finish()
    readiness = run.readiness("broker")
    run.assert_nothing_lost()
    for node, (to_red, to_green) in readiness.items():
        assert to_red is not None, (node, run.watch and run.watch.tail())
        assert to_green is not None, (node, run.watch and run.watch.tail())


async def test_node_killed_9_and_restarted(chaos: Chaos) -> None:
    run = Run(
        chaos,
        "A node killed -9",
        "`kill -9` of node1 while events flow (its clients reconnect through Caddy to node2); "
        "node1 restarted 2 s later.",
    )
    await run.begin()
    await run.flowing()
    node1 = chaos.topology.node("node1")

    async def crash() -> None:
        await asyncio.to_thread(node1.kill)
        await run.flowing(20)
        await asyncio.to_thread(chaos.topology.restart_node, "node1")

    await run.inject(crash)
    await run.flowing()
    await run.finish()
    # node2 could reach everything throughout: never red.
    node2 = run.answers("node2")
    run.assert_nothing_lost()
    moved = [c.name for c in run.clients if c.connects >= 2]
    assert moved, "no client was on node1: the kill tested nothing"
    assert node2 == {"200"}, run.watch and run.watch.tail()


async def test_node_restarted_in_the_middle_of_a_clients_recovery(chaos: Chaos) -> None:
    run = Run(
        chaos,
        "A node restarted in the middle of a client's recovery",
        "A client 1,500 events behind resumes on node1 (reading slowly); once part of the gap "
        "has arrived, node1 is killed and restarted; the client resumes again on it.",
    )
    await run.begin(count=20, interval=0.02)
    laggard = run.client(url=chaos.node_ws_url("node1"), channels=run.channels[:1])
    await run.subscribed([laggard])
    await laggard.stop()
    track = laggard.tracks[run.channels[0]]
    behind = track.last
    # 1,500 events on its channel while it is away (recovery answers from the database).
    assert run.publisher is not None
    async with asyncio.timeout(60):
        while run.publisher.committed.get(run.channels[0], 0) < behind + 1500:
            await asyncio.sleep(0.05)

    # Then a trickle, so the gap stays within what recovery answers (EDTECH_RECOVERY_MAX_EVENTS).
    run.publisher.count, run.publisher.interval = 1, 0.05
    laggard.stopping.clear()
    laggard.read_delay = 0.002
    laggard.start()
    node1 = chaos.topology.node("node1")

    async def restart_mid_recovery() -> None:
        async with asyncio.timeout(30):
            while track.last < behind + 100:
                await asyncio.sleep(0.005)
        run.extra["laggard had, when node1 died"] = f"{track.last - behind} of the gap"
        await asyncio.to_thread(node1.kill)
        await asyncio.to_thread(chaos.topology.restart_node, "node1")
        laggard.read_delay = 0

    await run.inject(restart_mid_recovery)
    await run.flowing()
    await run.finish()
    run.assert_nothing_lost()
    assert laggard.connects >= 3, laggard.closes  # first, recovering, after the restart
    assert track.unrecovered == [], track.unrecovered  # recovered both times, not told to reload
    assert track.last - behind >= 1500


async def test_postgres_restarted(chaos: Chaos) -> None:
    run = Run(
        chaos,
        "PostgreSQL restarted",
        "The (private) PostgreSQL stopped (`pg_ctl stop -m fast`) for 3 s, then started.",
    )
    await run.begin()
    await run.flowing()

    async def restart() -> None:
        await asyncio.to_thread(chaos.pg.stop)
        await asyncio.sleep(3)
        await asyncio.to_thread(chaos.pg.start)

    await run.inject(restart)
    await run.flowing(timeout=60)
    await run.finish()
    readiness = run.readiness("database")
    run.assert_nothing_lost()
    for node, (to_red, to_green) in readiness.items():
        assert to_red is not None, (node, run.watch and run.watch.tail())
        assert to_green is not None, (node, run.watch and run.watch.tail())


async def test_slow_consumer_is_cut_off_and_resumes_while_others_keep_up(chaos: Chaos) -> None:
    run = Run(
        chaos,
        "A slow consumer",
        "One client (straight to node1: Caddy's buffers in between would only delay the "
        "cut-off) reads a frame every 0.5 s with an 8 KiB receive buffer while 8 KB events flow "
        "to it and to six clients through Caddy; the node's send queue per socket is 256 KiB.",
    )
    node1 = chaos.node_urls()["node1"]
    # Counted before the slow client exists: it may be cut off before it is even waited for.
    before = await node_metric(node1, "edtech_ws_slow_consumer_closes_total")
    await run.begin(count=10, text="x" * 8000, interval=0.01)
    slow = run.client(url=chaos.node_ws_url("node1"), read_delay=0.5, rcvbuf=8192)
    await run.subscribed([slow])

    async def lag() -> None:
        # The node cuts it off when its queue is full; the client learns of it only once it has
        # read what the kernel buffered before the close frame, so ask the node.
        metric = "edtech_ws_slow_consumer_closes_total"
        deadline = time.monotonic() + 60
        while (closes := await node_metric(node1, metric)) == before:
            assert time.monotonic() < deadline, (
                f"node1 never cut the slow consumer off: {metric} {closes}, client closes "
                f"{dict(slow.closes)}, committed {run.publisher and run.publisher.committed}"
            )
            await asyncio.sleep(0.2)
        slow.read_delay = 0

    await run.inject(lag)
    await run.flowing()
    await run.finish()
    fast = [c for c in run.clients if c is not slow]
    run.extra["slow consumer closes"] = dict(slow.closes)
    run.assert_nothing_lost()
    assert slow.closes["4009"] >= 1, slow.closes
    assert all(not c.closes for c in fast), [dict(c.closes) for c in fast]


async def test_reconnect_storm(chaos: Chaos) -> None:
    run = Run(
        chaos,
        f"Reconnect storm of {STORM_CLIENTS} clients",
        f"{STORM_CLIENTS} clients (each on one of the channels) through Caddy; Caddy killed "
        "-9 and started again, so every socket drops at once and all reconnect and resume.",
    )
    for i in range(STORM_CLIENTS):
        run.client(channels=[run.channels[i % CHANNELS]])
        if i % 50 == 49:
            await run.subscribed(run.clients[-50:])
    await run.begin(clients=0, interval=0.1)
    await run.flowing()
    caddy = chaos.topology.caddy

    async def storm() -> None:
        await asyncio.to_thread(caddy.kill)
        await asyncio.sleep(0.5)
        caddy.start()
        await asyncio.to_thread(caddy.wait_healthy, 30)
        # Every client back on a socket and resubscribed.
        async with asyncio.timeout(120):
            while sum(c.connects >= 2 and c.ws is not None for c in run.clients) < len(run.clients):
                await asyncio.sleep(0.1)

    await run.inject(storm)
    run.extra["all clients back after"] = f"{time.monotonic() - run.fault_at:.1f} s"
    await run.flowing()
    await run.finish()
    answers = {node: run.answers(node) for node in chaos.node_urls()}
    run.assert_nothing_lost()
    # Both nodes could reach everything throughout: never red, storm or not.
    assert all(a == {"200"} for a in answers.values()), run.watch and run.watch.not_ready()
