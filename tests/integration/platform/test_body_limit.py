"""Request bodies over the limit get 413 problem+json and change nothing, declared or chunked."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from edtech.app import create_app
from edtech.demo import DemoSummary
from edtech.settings import Settings
from tests.roster import login

LIMIT = 64 * 1024


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings.model_copy(update={"max_body_bytes": LIMIT}))


def assert_too_large(r: httpx.Response) -> None:
    assert r.status_code == 413, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert (body["status"], body["code"], body["limit"]) == (413, "body_too_large", LIMIT)


async def _schools(client: httpx.AsyncClient, admin: dict[str, str]) -> list[str]:
    r = await client.get("/api/v1/schools", headers=admin, params={"limit": 200})
    return sorted(s["name"] for s in r.json()["items"])


async def test_a_declared_body_over_the_limit_is_refused_unread(
    client: httpx.AsyncClient, demo: DemoSummary
) -> None:
    admin = await login(client, "admin@demo.test")
    before = await _schools(client, admin)
    padded = '{"name": "Too Big School"' + " " * LIMIT + "}"
    r = await client.post(
        "/api/v1/schools",
        content=padded,
        headers={**admin, "Content-Type": "application/json"},
    )
    assert_too_large(r)
    assert await _schools(client, admin) == before


async def test_a_chunked_body_is_cut_off_when_it_crosses_the_limit(
    client: httpx.AsyncClient, demo: DemoSummary
) -> None:
    admin = await login(client, "admin@demo.test")
    before = await _schools(client, admin)

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: chunked transfer
        yield b'{"name": "Chunked School"'
        for _ in range(4):
            yield b" " * (LIMIT // 2)
        yield b"}"

    r = await client.post(
        "/api/v1/schools", content=chunks(), headers={**admin, "Content-Type": "application/json"}
    )
    assert_too_large(r)
    assert await _schools(client, admin) == before


async def test_a_body_under_the_limit_goes_through(
    client: httpx.AsyncClient, demo: DemoSummary
) -> None:
    admin = await login(client, "admin@demo.test")
    padded = '{"name": "Small Enough School"' + " " * (LIMIT // 2) + "}"
    r = await client.post(
        "/api/v1/schools", content=padded, headers={**admin, "Content-Type": "application/json"}
    )
    assert r.status_code == 201, r.text
    assert "Small Enough School" in await _schools(client, admin)
