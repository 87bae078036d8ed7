"""Websockets through Caddy across two real nodes: a teacher's live board sees scans whichever
nodes the socket and the scan land on; when a node is stopped (SIGTERM) or killed (kill -9) while
events flow, its clients reconnect through Caddy and resume by offset, losing nothing; a killed
node that is restarted takes sockets again."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx
import pytest

from edtech.demo import DemoSummary
from edtech.topology.local import LocalTopology
from edtech.topology.processes import ManagedProcess
from tests.e2e.topology.support import (
    UPSTREAM_HEADER,
    Subscriber,
    bearer,
    board,
    login,
    new_session,
    node_of_socket,
    scan,
    stop_all,
    teacher_section,
)

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.redis]

SUBSCRIBERS = 6
CATCH_UP_SECONDS = 45.0


def card_of(school: DemoSummary, student_id: str) -> str:
    """Demo cards are CARD-<n> for student<n>@demo.test."""
    for email, person_id in school.people.items():
        if str(person_id) == student_id and email.startswith("student"):
            return "CARD-" + email.removeprefix("student").split("@")[0]
    raise AssertionError(f"no demo card for student {student_id}")


def node_names(topology: LocalTopology) -> dict[str, str]:
    return {topology.node_url(n).removeprefix("http://"): n.name for n in topology.nodes}


async def test_board_sees_scans_posted_through_caddy_across_nodes_both_ways(
    topology: LocalTopology, e2e_school: DemoSummary
) -> None:
    directions: Counter[tuple[str, str]] = Counter()
    wanted = {("node1", "node2"), ("node2", "node1")}
    async with asyncio.timeout(300), httpx.AsyncClient(base_url=topology.url, timeout=20) as client:
        token = await login(client)
        section = await teacher_section(client, token)
        for attempt in range(12):
            if wanted <= set(directions):
                break
            session_id = await new_session(client, token, section)
            student = (await board(client, token, session_id))["missing"][0]["student_id"]
            if attempt % 2:
                await client.get("/readyz")  # shift the round robin so placements vary
            channel = f"attendance.session.{session_id}"
            sub = Subscriber(topology.ws_url, token, channel)
            task = asyncio.create_task(sub.run())
            try:
                await asyncio.wait_for(sub.subscribed.wait(), 15)
                placement = await node_of_socket(client, topology)
                board_node = [name for name, count in placement.items() if count == 1]
                assert len(board_node) == 1, placement

                r = await scan(client, card_of(e2e_school, student))
                assert r.status_code == 200, r.text
                result = r.json()["results"][0]
                assert (result["result"], result["session_id"]) == ("recorded", session_id)
                scan_node = node_names(topology)[r.headers[UPSTREAM_HEADER]]

                async with asyncio.timeout(15):
                    while not any(
                        e["type"] == "attendance.scan_recorded"
                        and e["data"]["student_id"] == student
                        for e in sub.events.values()
                    ):
                        await asyncio.sleep(0.05)
                directions[(board_node[0], scan_node)] += 1
            finally:
                await stop_all([sub], [task])

    assert wanted <= set(directions), f"cross-node directions seen: {dict(directions)}"


@dataclass
class Flow:
    """A board channel, its subscribers (through Caddy) and the teacher's REST client."""

    client: httpx.AsyncClient
    token: str = ""
    session_id: str = ""
    channel: str = ""
    subs: list[Subscriber] = field(default_factory=list)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def subscribe(self, topology: LocalTopology, name: str) -> Subscriber:
        sub = Subscriber(topology.ws_url, self.token, self.channel, name=name)
        self.subs.append(sub)
        self.tasks.append(asyncio.create_task(sub.run()))
        return sub

    async def close(self) -> None:
        await stop_all(self.subs, self.tasks)
        await self.client.aclose()


async def events_flow_while(
    topology: LocalTopology,
    flow: Flow,
    disrupt: Callable[[ManagedProcess], Awaitable[None]],
) -> int:
    """Six board subscribers through Caddy (three per node) while a teacher changes marks through
    Caddy; `disrupt(node1)` midway. Checks that every subscriber got every event, in order, and
    returns the channel's final offset."""
    client = flow.client
    flow.token = token = await login(client)
    section = await teacher_section(client, token)
    flow.session_id = session_id = await new_session(client, token, section)
    flow.channel = f"attendance.session.{session_id}"
    students = [m["student_id"] for m in (await board(client, token, session_id))["missing"]]

    subs = [flow.subscribe(topology, f"s{i}") for i in range(SUBSCRIBERS)]
    await asyncio.wait_for(asyncio.gather(*(s.subscribed.wait() for s in subs)), 30)
    placement = await node_of_socket(client, topology)
    assert placement["node1"] >= 1, placement
    assert placement["node2"] >= 1, placement

    outcomes: Counter[str] = Counter()
    stop = asyncio.Event()

    async def change_marks() -> None:
        code = dict.fromkeys(students, "P")
        i = 0
        while not stop.is_set():
            student = students[i % len(students)]
            code[student] = "A" if code[student] == "P" else "P"
            try:
                r = await client.put(
                    f"/api/v1/attendance/sessions/{session_id}/marks/{student}",
                    json={"code": code[student]},
                    headers=bearer(token),
                )
                outcomes[str(r.status_code)] += 1
            except httpx.HTTPError as exc:
                outcomes[type(exc).__name__] += 1
            i += 1
            await asyncio.sleep(0.03)

    producer = asyncio.create_task(change_marks())
    try:
        await asyncio.sleep(2.0)
        await disrupt(topology.node("node1"))
        await asyncio.sleep(3.0)
    finally:
        stop.set()
        await producer
    assert outcomes["200"] > 10, outcomes

    final = (await board(client, token, session_id))["channel"]
    assert final["name"] == flow.channel
    with contextlib.suppress(TimeoutError):
        await asyncio.gather(*(s.wait_for(final["offset"], CATCH_UP_SECONDS) for s in subs))
    with contextlib.suppress(TimeoutError):
        await asyncio.gather(*(s.wait_resubscribed(CATCH_UP_SECONDS) for s in subs))
    for s in subs:
        assert s.missing(final["offset"]) == [], (s.name, s.first_offset, final, s.closes)
        assert s.in_order(), (s.name, s.arrivals)
        assert all(r.get("recovered", True) for r in s.resubscriptions()), s.replies
    print(f"final {final}, requests {dict(outcomes)}, placement {placement}")
    for s in subs:
        print(
            f"{s.name}: first {s.first_offset} events {len(s.events)} dup {s.duplicates} "
            f"closes {s.closes} replies {s.replies[1:]}"
        )
    moved = [s for s in subs if s.resubscriptions()]
    assert len(moved) >= placement["node1"], [(s.name, s.closes) for s in subs]
    offset: int = final["offset"]
    return offset


async def test_sigterm_while_events_flow_clients_resume_by_offset_losing_nothing(
    topology: LocalTopology, e2e_school: DemoSummary
) -> None:
    async def sigterm(node: ManagedProcess) -> None:
        node.signal(signal.SIGTERM)
        assert await asyncio.to_thread(node.wait_exit, 40), "node1 did not exit after SIGTERM"

    flow = Flow(httpx.AsyncClient(base_url=topology.url, timeout=20))
    try:
        async with asyncio.timeout(300):
            await events_flow_while(topology, flow, sigterm)
    finally:
        await flow.close()
    # Drained, not dropped: the node said "service restart" to each of its sockets.
    moved = [s for s in flow.subs if s.resubscriptions()]
    assert all(1012 in s.closes for s in moved), [(s.name, s.closes) for s in moved]


async def test_kill_9_while_events_flow_clients_resume_and_restarted_node_rejoins(
    topology: LocalTopology, e2e_school: DemoSummary
) -> None:
    async def kill(node: ManagedProcess) -> None:
        await asyncio.to_thread(node.kill)

    flow = Flow(httpx.AsyncClient(base_url=topology.url, timeout=20))
    try:
        async with asyncio.timeout(420):
            final = await events_flow_while(topology, flow, kill)
            # No goodbye from a killed node: its sockets just dropped (no close frame).
            moved = [s for s in flow.subs if s.resubscriptions()]
            assert all(set(s.closes) <= {None, 1006} for s in moved), [s.closes for s in moved]

            # Restarted, node1 is back in rotation: new sockets land on it and get events.
            await asyncio.to_thread(topology.restart_node, "node1")
            async with asyncio.timeout(60):
                for attempt in range(20):
                    sub = flow.subscribe(topology, f"late{attempt}")
                    await asyncio.wait_for(sub.subscribed.wait(), 15)
                    if (await node_of_socket(flow.client, topology)).get("node1", 0) >= 1:
                        break
                    await asyncio.sleep(0.5)
                else:
                    raise AssertionError("no new socket landed on the restarted node1")
            marks = (await board(flow.client, flow.token, flow.session_id))["marks"]
            r = await flow.client.put(
                f"/api/v1/attendance/sessions/{flow.session_id}/marks/{marks[0]['student_id']}",
                json={"code": "T", "minutes_late": 3},
                headers=bearer(flow.token),
            )
            assert r.status_code == 200, r.text
            after = (await board(flow.client, flow.token, flow.session_id))["channel"]["offset"]
            assert after > final
            await asyncio.gather(*(s.wait_for(after, 20) for s in flow.subs))
    finally:
        await flow.close()
