"""REST through Caddy across two real nodes: both serve, a killed node leaves the rotation at
once, a restarted one rejoins, and a node stopped with SIGTERM fails no request."""

from __future__ import annotations

import asyncio
import itertools
import signal
import time
from collections import Counter

import httpx
import pytest

from edtech.topology.local import LocalTopology

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.redis]

REJOIN_SECONDS = 30.0
"""Caddy forgets a failed dial after fail_duration (5s) and probes /readyz every second."""


async def node_behind_caddy(client: httpx.AsyncClient) -> str:
    response = await client.get("/readyz")
    assert response.status_code == 200, response.text
    name: str = response.json()["node"]
    return name


async def test_requests_through_caddy_alternate_between_both_nodes(
    topology: LocalTopology,
) -> None:
    async with httpx.AsyncClient(base_url=topology.url, timeout=10) as client:
        names = [await node_behind_caddy(client) for _ in range(10)]

    assert Counter(names) == {"node1": 5, "node2": 5}
    assert all(a != b for a, b in itertools.pairwise(names)), names


async def test_killed_node_leaves_the_rotation_and_rejoins_after_restart(
    topology: LocalTopology,
) -> None:
    async with (
        asyncio.timeout(REJOIN_SECONDS + 120),
        httpx.AsyncClient(base_url=topology.url, timeout=10) as client,
    ):
        await asyncio.to_thread(topology.node("node1").kill)

        # Every request succeeds on node2: the first dial to node1 fails, Caddy retries it on
        # node2 and marks node1 down, so none waits for a timeout.
        started = time.monotonic()
        names = [await node_behind_caddy(client) for _ in range(20)]
        assert set(names) == {"node2"}
        assert time.monotonic() - started < 10

        upstreams = (await client.get(f"{topology.admin_url}/reverse_proxy/upstreams")).json()
        node1_address = topology.node_url(topology.node("node1")).removeprefix("http://")
        assert {u["address"]: u["fails"] for u in upstreams}[node1_address] >= 1

        await asyncio.to_thread(topology.restart_node, "node1")
        deadline = time.monotonic() + REJOIN_SECONDS
        seen: set[str] = set()
        while seen != {"node1", "node2"}:
            assert time.monotonic() < deadline, f"node1 did not rejoin; only saw {seen}"
            seen.add(await node_behind_caddy(client))
            await asyncio.sleep(0.2)


async def test_sigterm_stops_a_node_without_failing_any_request(topology: LocalTopology) -> None:
    node1 = topology.node("node1")
    outcomes: Counter[str] = Counter()
    stop = asyncio.Event()

    async def traffic(client: httpx.AsyncClient) -> None:
        while not stop.is_set():
            try:
                response = await client.get("/readyz")
                outcomes[f"{response.status_code} {response.json().get('node')}"] += 1
            except httpx.HTTPError as exc:
                outcomes[type(exc).__name__] += 1

    async with asyncio.timeout(120), httpx.AsyncClient(base_url=topology.url, timeout=10) as client:
        workers = [asyncio.create_task(traffic(client)) for _ in range(4)]
        await asyncio.sleep(1.0)
        node1.signal(signal.SIGTERM)
        exited = await asyncio.to_thread(node1.wait_exit, 30)
        await asyncio.sleep(1.0)
        stop.set()
        await asyncio.gather(*workers)

    assert exited, "node1 did not exit within 30s of SIGTERM"
    # Only successes: while node1 drains its /readyz is 503 (Caddy stops sending it new requests
    # on the next health check) and once it stops listening Caddy retries the dial on node2.
    failures = {k: v for k, v in outcomes.items() if not k.startswith("200 ")}
    assert not failures or set(failures) <= {"503 node1"}, outcomes
    assert outcomes["200 node1"] > 0
    assert outcomes["200 node2"] > 0


async def test_sigterm_turns_readiness_red_before_the_node_stops(topology: LocalTopology) -> None:
    node1 = topology.node("node1")
    node1.signal(signal.SIGTERM)
    async with httpx.AsyncClient(timeout=2) as client:
        r = await client.get(f"{topology.node_url(node1)}/readyz")
    assert r.status_code == 503
    assert r.json()["checks"]["lifecycle"] == "draining"
    assert await asyncio.to_thread(node1.wait_exit, 40)
