"""Helpers of the communication tests: sign in demo people, start conversations, post; count
statements."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import sqlalchemy as sa

from edtech.demo import DemoSummary
from tests.roster import login


@dataclass
class People:
    """Signed-in demo people: `headers[email]` and `id(email)`."""

    client: httpx.AsyncClient
    demo: DemoSummary
    headers: dict[str, dict[str, str]]

    async def as_(self, email: str) -> dict[str, str]:
        if email not in self.headers:
            self.headers[email] = await login(self.client, email)
        return self.headers[email]

    def id(self, email: str) -> uuid.UUID:
        return self.demo.person(email)

    async def start(
        self, who: str, *others: str, context: dict[str, str] | None = None, kind: str = "direct"
    ) -> httpx.Response:
        body: dict[str, object] = {
            "kind": kind,
            "participant_ids": [str(self.id(o)) for o in others],
        }
        if context is not None:
            body["context"] = context
        return await self.client.post(
            "/api/v1/conversations", json=body, headers=await self.as_(who)
        )

    async def post(
        self, who: str, conversation_id: str, body: str, client_id: str | None = None
    ) -> httpx.Response:
        return await self.client.post(
            f"/api/v1/conversations/{conversation_id}/messages",
            json={"client_id": client_id or uuid.uuid4().hex, "body": body},
            headers=await self.as_(who),
        )


@contextmanager
def statements() -> Iterator[list[str]]:
    """Every statement sent meanwhile, by any engine."""
    seen: list[str] = []

    def count(_c: Any, _cur: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", count)
