"""Live: a publication on one node reaches a guardian's inbox on another (Redis between them)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect

from edtech.app import create_app
from edtech.demo import DemoSummary
from edtech.settings import Settings
from tests.integration.grades.helpers import item, make_book, ok
from tests.roster import login
from tests.servers import LiveServer

pytestmark = pytest.mark.redis


class Socket:
    """A websocket client that keeps events apart from replies."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.events: list[dict[str, Any]] = []
        self._ref = 0

    @classmethod
    async def open(cls, ws_url: str, auth: dict[str, str]) -> Socket:
        token = auth["Authorization"].removeprefix("Bearer ")
        return cls(await connect(f"{ws_url}/ws?token={token}"))

    async def subscribe(self, channel: str) -> dict[str, Any]:
        self._ref += 1
        ref = str(self._ref)
        await self.ws.send(json.dumps({"op": "subscribe", "ref": ref, "channel": channel}))
        return await self.until(lambda f: f.get("op") == "reply" and f.get("ref") == ref)

    async def until(self, pred: Any, timeout: float = 10) -> dict[str, Any]:
        async with asyncio.timeout(timeout):
            while True:
                frame = json.loads(await self.ws.recv())
                if frame.get("op") == "event":
                    self.events.append(frame)
                if pred(frame):
                    return dict(frame)

    async def event(self, type_: str) -> dict[str, Any]:
        for e in self.events:
            if e["type"] == type_:
                return e
        return await self.until(lambda f: f.get("op") == "event" and f["type"] == type_)

    async def quiet(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await self.until(lambda _f: False, seconds)


@pytest.fixture
async def node_b(settings: Settings, redis_url: str) -> AsyncIterator[LiveServer]:
    server = LiveServer(
        create_app(settings.model_copy(update={"broker_url": redis_url, "node_name": "b"}))
    )
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
def app(settings: Settings, redis_url: str) -> Any:
    return create_app(settings.model_copy(update={"broker_url": redis_url, "node_name": "a"}))


async def test_guardian_on_the_other_node_receives_the_grade_and_total_live(
    client: httpx.AsyncClient, node_b: LiveServer, demo: DemoSummary, database_url: str
) -> None:
    book = await make_book(client, demo, database_url)
    student1 = demo.student1_id
    guardian1 = await Socket.open(node_b.ws_url, await login(client, "guardian1@demo.test"))
    guardian3 = await Socket.open(node_b.ws_url, await login(client, "guardian3@demo.test"))
    student = await Socket.open(node_b.ws_url, await login(client, "student1@demo.test"))
    co_teacher = await Socket.open(node_b.ws_url, book.teacher)
    sockets = (guardian1, guardian3, student, co_teacher)
    try:
        assert (await guardian1.subscribe(f"user.{demo.guardian1_id}"))["ok"]
        assert (await guardian3.subscribe(f"user.{demo.person('guardian3@demo.test')}"))["ok"]
        assert (await student.subscribe(f"user.{student1}"))["ok"]
        denied = await student.subscribe(f"grades.section.{book.section_id}")
        assert denied["ok"] is False
        assert (await co_teacher.subscribe(f"grades.section.{book.section_id}"))["ok"]

        ok(
            await client.post(
                f"/api/v1/sections/{book.section_id}/results/batch",
                json={
                    "items": [item(book.homework1, s, "9", comment="good") for s in book.students]
                },
                headers=book.teacher,
            )
        )
        cell = await co_teacher.event("grades.cell_changed")
        assert cell["data"]["editor_name"]
        assert cell["data"]["draft"]["points"] == "9"
        await student.quiet(0.5)
        assert student.events == [], "drafts must not reach students"

        ok(
            await client.post(
                f"/api/v1/assessments/{book.homework1}/publications",
                json={"scope": "all"},
                headers=book.teacher,
            ),
            201,
        )
        got = await guardian1.event("grades.published")
        assert got["data"]["student_id"] == str(student1)
        assert got["data"]["result"]["points"] == "9"
        assert got["data"]["result"]["comment"] == "good"
        total = got["data"]["total"]
        assert total["percent"] == "90.0"
        assert total["letter"] == "A"
        assert total["text"] == "90.0 % = (0.4 × Homework 90.0) ÷ 0.4 → A"
        assert total["categories"][0]["assessments"][0]["status"] == "counted"
        assert (await student.event("grades.published"))["data"]["student_id"] == str(student1)
        assert (await co_teacher.event("grades.assessment_published"))["data"]["scope"] == "all"
        await guardian3.quiet(1.0)
        assert guardian3.events == []
    finally:
        for s in sockets:
            await s.ws.close()
