"""Clients for the topology tests: REST through Caddy as the demo school, and websocket
subscribers that reconnect through Caddy and resume by offset, keeping every event they get."""

from __future__ import annotations

import asyncio
import json
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from edtech.topology.local import LocalTopology

DEMO_PASSWORD = "edtech-demo"
SCANNER_KEY = "demo-scanner-key"
TEACHER = "teacher1@demo.test"
UPSTREAM_HEADER = "x-edtech-upstream"
"""The local Caddyfile names the node that answered (not the production one)."""


async def login(client: httpx.AsyncClient, email: str = TEACHER) -> str:
    r = await client.post("/api/v1/auth/token", data={"username": email, "password": DEMO_PASSWORD})
    assert r.status_code == 200, f"login of {email}: {r.status_code} {r.text}"
    token: str = r.json()["access_token"]
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def teacher_section(client: httpx.AsyncClient, token: str) -> str:
    """A section teacher1 teaches (from today's planned sessions: today at the school)."""
    me = await client.get("/api/v1/institutions/me", headers=bearer(token))
    assert me.status_code == 200, me.text
    today = datetime.now(ZoneInfo(me.json()["timezone"])).date().isoformat()
    r = await client.get(
        "/api/v1/attendance/sessions", params={"date": today}, headers=bearer(token)
    )
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert items, "teacher1 has no session today: the demo attendance was not seeded"
    section: str = items[0]["section_id"]
    return section


async def new_session(client: httpx.AsyncClient, token: str, section_id: str) -> str:
    """A session of `section_id` that takes scans now and starts after any other session
    (so a scan now is for this one): it starts in 239 minutes and opens 240 minutes early."""
    now = datetime.now(UTC)
    body = {
        "section_id": section_id,
        "starts_at": (now + timedelta(minutes=239)).isoformat(),
        "ends_at": (now + timedelta(minutes=285)).isoformat(),
        "opens_before_minutes": 240,
    }
    r = await client.post("/api/v1/attendance/sessions", json=body, headers=bearer(token))
    assert r.status_code == 201, r.text
    session_id: str = r.json()["id"]
    return session_id


async def board(client: httpx.AsyncClient, token: str, session_id: str) -> dict[str, Any]:
    r = await client.get(f"/api/v1/attendance/sessions/{session_id}/board", headers=bearer(token))
    assert r.status_code == 200, r.text
    result: dict[str, Any] = r.json()
    return result


async def scan(client: httpx.AsyncClient, card: str) -> httpx.Response:
    now = datetime.now(UTC).isoformat()
    body = {"scans": [{"id": str(uuid.uuid4()), "credential": card, "scanned_at": now}]}
    return await client.post(
        "/api/v1/attendance/scans", json=body, headers={"X-Device-Key": SCANNER_KEY}
    )


async def ws_connections(client: httpx.AsyncClient, node_url: str) -> int:
    """Open websockets on one node, from its own /metrics (straight to the node, not Caddy)."""
    text = (await client.get(f"{node_url}/metrics")).text
    for line in text.splitlines():
        if line.startswith("edtech_ws_connections "):
            return int(float(line.split()[1]))
    raise AssertionError("edtech_ws_connections missing from /metrics")


async def node_of_socket(client: httpx.AsyncClient, topology: LocalTopology) -> dict[str, int]:
    return {
        n.name: await ws_connections(client, topology.node_url(n))
        for n in topology.nodes
        if n.alive()
    }


@dataclass
class Subscriber:
    """Subscribes to one channel through Caddy; on any disconnect, reconnects through Caddy and
    resubscribes with `since` = the last offset it saw. Keeps every event and what happened."""

    ws_url: str
    token: str
    channel: str
    name: str = ""
    events: dict[int, dict[str, Any]] = field(default_factory=dict)
    arrivals: list[int] = field(default_factory=list)
    duplicates: int = 0
    closes: list[int | None] = field(default_factory=list)
    replies: list[dict[str, Any]] = field(default_factory=list)
    first_offset: int | None = None
    epoch: str = ""
    subscribed: asyncio.Event = field(default_factory=asyncio.Event)
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    connect_failures: int = 0
    ws: ClientConnection | None = None

    @property
    def last_offset(self) -> int:
        return max(self.events, default=self.first_offset or 0)

    async def run(self) -> None:
        while not self.stopping.is_set():
            try:
                async with connect(f"{self.ws_url}/ws?token={self.token}", open_timeout=10) as ws:
                    self.ws = ws
                    await self._session(ws)
            except ConnectionClosed as exc:
                self.closes.append(exc.rcvd.code if exc.rcvd else None)
            except (OSError, InvalidHandshake, InvalidStatus, TimeoutError):
                self.connect_failures += 1
            finally:
                self.ws = None
            if not self.stopping.is_set():
                await asyncio.sleep(random.uniform(0.05, 0.3))

    async def _session(self, ws: ClientConnection) -> None:
        frame: dict[str, Any] = {"op": "subscribe", "ref": "s", "channel": self.channel}
        if self.first_offset is not None:
            frame["since"] = {"offset": self.last_offset, "epoch": self.epoch}
        await ws.send(json.dumps(frame))
        async for raw in ws:
            message = json.loads(raw)
            if message.get("op") == "reply" and message.get("ref") == "s":
                assert message["ok"], message
                self.replies.append(message["data"])
                self.epoch = message["data"]["epoch"]
                if self.first_offset is None:
                    self.first_offset = message["data"]["offset"]
                self.subscribed.set()
            elif message.get("op") == "event" and message.get("channel") == self.channel:
                if message["offset"] in self.events:
                    self.duplicates += 1
                else:
                    self.arrivals.append(message["offset"])
                self.events[message["offset"]] = message
            if self.stopping.is_set():
                return

    async def wait_for(self, offset: int, timeout: float) -> None:
        async with asyncio.timeout(timeout):
            while self.last_offset < offset:
                await asyncio.sleep(0.05)

    async def wait_resubscribed(self, timeout: float) -> None:
        """Until a subscriber whose connection dropped has had a resubscription's reply (one
        that already held every event may still be on its way back)."""
        async with asyncio.timeout(timeout):
            while self.closes and not self.resubscriptions():
                await asyncio.sleep(0.05)

    def missing(self, final: int) -> list[int]:
        assert self.first_offset is not None
        return [o for o in range(self.first_offset + 1, final + 1) if o not in self.events]

    def in_order(self) -> bool:
        """First arrivals come in offset order (the per-channel order holds)."""
        return self.arrivals == sorted(self.arrivals)

    def resubscriptions(self) -> list[dict[str, Any]]:
        return self.replies[1:]


async def stop_all(subscribers: list[Subscriber], tasks: list[asyncio.Task[None]]) -> None:
    for s in subscribers:
        s.stopping.set()
        if s.ws is not None:
            await s.ws.close()
    await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 15)
