"""Cross-origin access: a websocket handshake from a foreign page is refused with 403 before the
upgrade, the node's own origin and listed ones are let through, so are clients that send no
`Origin` (apps, scanners); CORS answers only for listed origins (none by default)."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from edtech.app import create_app
from edtech.platform.http.origins import normalize_origin, origin_allowed
from edtech.settings import Settings
from tests.servers import LiveServer

LISTED = "https://School.Example:443"


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings.model_copy(update={"allowed_origins": [LISTED]}))


async def handshake(server: LiveServer, origin: str | None) -> int:
    """The outcome of a handshake without a token: 403 if refused before the upgrade, else the
    close code the hub sends once upgraded (4001: no token)."""
    try:
        async with connect(f"{server.ws_url}/ws", origin=origin, open_timeout=30) as ws:  # type: ignore[arg-type]
            await ws.recv()
    except InvalidStatus as exc:
        return exc.response.status_code
    except ConnectionClosed as exc:
        return exc.rcvd.code if exc.rcvd else -1
    raise AssertionError("the socket stayed open without a token")


async def test_a_foreign_origin_is_refused_before_the_upgrade(live_server: LiveServer) -> None:
    assert await handshake(live_server, "https://evil.example") == 403
    assert await handshake(live_server, "http://127.0.0.1:1") == 403  # same host, other port


async def test_same_origin_listed_origins_and_no_origin_are_let_through(
    live_server: LiveServer,
) -> None:
    assert await handshake(live_server, live_server.url) == 4001
    assert await handshake(live_server, "https://school.example") == 4001
    assert await handshake(live_server, None) == 4001


async def test_cors_answers_listed_origins_only(client: httpx.AsyncClient) -> None:
    preflight = {"Access-Control-Request-Method": "POST"}
    listed = await client.options(
        "/api/v1/auth/token", headers={"Origin": "https://school.example", **preflight}
    )
    assert listed.status_code == 200
    assert listed.headers["access-control-allow-origin"] == "https://school.example"
    foreign = await client.options(
        "/api/v1/auth/token", headers={"Origin": "https://evil.example", **preflight}
    )
    assert "access-control-allow-origin" not in foreign.headers
    simple = await client.get("/healthz", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in simple.headers


async def test_by_default_no_cross_origin_page_is_allowed(settings: Settings) -> None:
    assert settings.allowed_origins == []
    server = LiveServer(create_app(settings))
    await server.start()
    try:
        assert await handshake(server, "https://school.example") == 403
        assert await handshake(server, server.url) == 4001
        async with httpx.AsyncClient(base_url=server.url) as http:
            r = await http.options(
                "/api/v1/auth/token",
                headers={
                    "Origin": "https://school.example",
                    "Access-Control-Request-Method": "POST",
                },
            )
        assert "access-control-allow-origin" not in r.headers
    finally:
        await server.stop()


def test_origins_compare_as_browsers_send_them() -> None:
    assert normalize_origin("HTTPS://School.Example:443") == "https://school.example"
    assert normalize_origin("http://host:8080/") == "http://host:8080"
    allowed = frozenset({"https://school.example"})

    def scope(origin: str, host: str = "edtech.example") -> dict[str, object]:
        return {"headers": [(b"origin", origin.encode()), (b"host", host.encode())]}

    assert origin_allowed(scope("https://school.example"), allowed)
    assert origin_allowed(scope("https://edtech.example"), allowed)  # TLS ends at the proxy
    assert origin_allowed(scope("http://edtech.example:8080", "edtech.example:8080"), allowed)
    assert not origin_allowed(scope("https://edtech.example.evil.test"), allowed)
    assert not origin_allowed(scope("null"), allowed)
    assert origin_allowed({"headers": [(b"host", b"x")]}, allowed)
    assert origin_allowed(scope("https://anything.test"), frozenset({"*"}))
