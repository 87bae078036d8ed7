"""Helpers of the attendance tests: the school's time, scanning, a session of a section,
a websocket client."""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from websockets.asyncio.client import ClientConnection, connect

from edtech.demo import DemoSummary
from edtech.kernel.clock import FixedClock

SCHOOL_ZONE = ZoneInfo("America/New_York")
KEY = "demo-scanner-key"


def school_time(hour: int, minute: int, second: int = 0) -> datetime:
    """Today (UTC date) at this wall-clock time in the demo school's zone."""
    today = datetime.now(UTC).date()
    return datetime.combine(today, time(hour, minute, second), SCHOOL_ZONE).astimezone(UTC)


@dataclass(frozen=True)
class School:
    demo: DemoSummary
    clock: FixedClock

    def person(self, email: str) -> Any:
        return self.demo.person(email)

    @property
    def s01(self) -> Any:
        return self.demo.section_ids[0]


async def session_of(
    client: httpx.AsyncClient, auth: dict[str, str], section_id: Any, at_hour: int = 8
) -> dict[str, Any]:
    """Today's session of the section that starts at `at_hour` (school time)."""
    r = await client.get(
        "/api/v1/attendance/sessions",
        params={"section_id": str(section_id), "date": datetime.now(UTC).date().isoformat()},
        headers=auth,
    )
    assert r.status_code == 200, r.text
    starts = school_time(at_hour, 0)
    for item in r.json()["items"]:
        if abs(datetime.fromisoformat(item["starts_at"]) - starts) < timedelta(hours=1):
            return dict(item)
    raise AssertionError(f"no session of {section_id} near {at_hour}:00: {r.json()}")


async def scan(
    client: httpx.AsyncClient, *items: tuple[str, str, datetime], key: str = KEY
) -> httpx.Response:
    body = {"scans": [{"id": i, "credential": c, "scanned_at": t.isoformat()} for i, c, t in items]}
    return await client.post("/api/v1/attendance/scans", json=body, headers={"X-Device-Key": key})


def token_of(auth: dict[str, str]) -> str:
    return auth["Authorization"].removeprefix("Bearer ")


class Socket:
    """A websocket client that keeps events apart from replies."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.events: list[dict[str, Any]] = []
        self._ref = 0

    @classmethod
    async def open(cls, ws_url: str, auth: dict[str, str]) -> Socket:
        return cls(await connect(f"{ws_url}/ws?token={token_of(auth)}", max_size=2**22))

    async def close(self) -> None:
        await self.ws.close()

    async def subscribe(self, channel: str, since: dict[str, Any] | None = None) -> dict[str, Any]:
        self._ref += 1
        ref = str(self._ref)
        frame: dict[str, Any] = {"op": "subscribe", "ref": ref, "channel": channel}
        if since is not None:
            frame["since"] = since
        await self.ws.send(json.dumps(frame))
        return await self.until(lambda f: f.get("op") == "reply" and f.get("ref") == ref)

    async def until(self, pred: Any, timeout: float = 10) -> dict[str, Any]:
        async with asyncio.timeout(timeout):
            while True:
                frame = json.loads(await self.ws.recv())
                if frame.get("op") == "event":
                    self.events.append(frame)
                if pred(frame):
                    return dict(frame)

    async def event(self, type_: str, timeout: float = 10) -> dict[str, Any]:
        for e in self.events:
            if e["type"] == type_:
                return e
        return await self.until(lambda f: f.get("op") == "event" and f["type"] == type_, timeout)

    async def quiet(self, seconds: float) -> None:
        """Collect whatever arrives for `seconds`."""
        with contextlib.suppress(TimeoutError):
            await self.until(lambda _f: False, seconds)
