"""A sign-in that ends closes its open websockets, on every node, within 2 s (issue #14, 2).

Logout, `DELETE /auth/sessions/{id}`, refresh-token reuse, a disabled login, a changed
password and a person who left: each closes the sockets of that session (or person) with
4001, while other sign-ins of the same person stay open. Over real sockets: one node (both
dialects, in-process broker) and two nodes over PostgreSQL and Redis.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed

from edtech.app import create_app
from edtech.demo import DEMO_PASSWORD, SMALL, DemoSummary, seed_demo
from edtech.platform.db.engine import make_engine, make_session_factory
from edtech.settings import Settings
from tests import databases
from tests.integration.realtime.support import Client
from tests.roster import login
from tests.servers import TEST_SECRET, LiveServer

T1 = "teacher1@demo.test"
AUTH_FAILED = 4001
WITHIN = 2.0


async def sign_in(client: httpx.AsyncClient, email: str = T1) -> dict[str, Any]:
    r = await client.post("/api/v1/auth/token", data={"username": email, "password": DEMO_PASSWORD})
    assert r.status_code == 200, r.text
    tokens: dict[str, Any] = r.json()
    return tokens


def bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


async def subscribed_socket(ws_url: str, tokens: dict[str, Any], person: str) -> Client:
    socket = await Client.open(ws_url, tokens["access_token"])
    reply = await socket.subscribe(f"user.{person}")
    assert reply["ok"] is True, reply
    return socket


async def close_code(socket: Client, timeout: float = WITHIN) -> int | None:
    """The code the server closes with, waiting at most `timeout` (None: still open)."""
    try:
        await socket.until(lambda _f: False, timeout)
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd is not None else None
    except TimeoutError:
        return None
    raise AssertionError("unreachable")


async def still_open(socket: Client) -> bool:
    return (await socket.request("ping")).get("op") == "pong"


async def _logout(client: httpx.AsyncClient, tokens: dict[str, Any], demo: DemoSummary) -> None:
    r = await client.post("/api/v1/auth/logout", headers=bearer(tokens))
    assert r.status_code == 204, r.text


async def _revoke_from_elsewhere(
    client: httpx.AsyncClient, tokens: dict[str, Any], demo: DemoSummary
) -> None:
    """Revoke the socket's session from another sign-in (a lost phone)."""
    other = await sign_in(client)
    mine = await client.get("/api/v1/auth/sessions", headers=bearer(tokens))
    (current,) = [s["id"] for s in mine.json()["items"] if s["current"]]
    r = await client.delete(f"/api/v1/auth/sessions/{current}", headers=bearer(other))
    assert r.status_code == 204, r.text


async def _reuse_refresh_token(
    client: httpx.AsyncClient, tokens: dict[str, Any], demo: DemoSummary
) -> None:
    spent = tokens["refresh_token"]
    r = await client.post("/api/v1/auth/refresh", json={"refresh_token": spent})
    assert r.status_code == 200, r.text
    r = await client.post("/api/v1/auth/refresh", json={"refresh_token": spent})
    assert r.status_code == 401, r.text


async def _set_login(client: httpx.AsyncClient, body: dict[str, Any], demo: DemoSummary) -> None:
    admin = await login(client, "admin@demo.test")
    r = await client.put(
        f"/api/v1/people/{demo.teacher1_id}/account",
        json={"email": T1, **body},
        headers=admin,
    )
    assert r.status_code == 200, r.text


async def _disable_login(
    client: httpx.AsyncClient, tokens: dict[str, Any], demo: DemoSummary
) -> None:
    await _set_login(client, {"password": DEMO_PASSWORD, "is_active": False}, demo)


async def _change_password(
    client: httpx.AsyncClient, tokens: dict[str, Any], demo: DemoSummary
) -> None:
    await _set_login(client, {"password": "a new and long passphrase", "is_active": True}, demo)


async def _end_person(client: httpx.AsyncClient, tokens: dict[str, Any], demo: DemoSummary) -> None:
    admin = await login(client, "admin@demo.test")
    r = await client.post(f"/api/v1/people/{demo.teacher1_id}/end", json={}, headers=admin)
    assert r.status_code in (200, 204), r.text


Revocation = Callable[[httpx.AsyncClient, dict[str, Any], DemoSummary], Awaitable[None]]


@pytest.mark.parametrize(
    "revoke",
    [
        _logout,
        _revoke_from_elsewhere,
        _reuse_refresh_token,
        _disable_login,
        _change_password,
        _end_person,
    ],
    ids=["logout", "delete-session", "refresh-reuse", "disabled", "password", "person-ended"],
)
async def test_an_ended_sign_in_closes_its_sockets(
    client: httpx.AsyncClient, live_server: LiveServer, demo: DemoSummary, revoke: Revocation
) -> None:
    tokens = await sign_in(client)
    socket = await subscribed_socket(live_server.ws_url, tokens, str(demo.teacher1_id))
    try:
        await revoke(client, tokens, demo)
        assert await close_code(socket) == AUTH_FAILED
    finally:
        await socket.close()


async def test_logout_closes_only_that_sessions_sockets(
    client: httpx.AsyncClient, live_server: LiveServer, demo: DemoSummary
) -> None:
    phone, laptop = await sign_in(client), await sign_in(client)
    person = str(demo.teacher1_id)
    on_phone = await subscribed_socket(live_server.ws_url, phone, person)
    on_laptop = await subscribed_socket(live_server.ws_url, laptop, person)
    try:
        await _logout(client, phone, demo)
        assert await close_code(on_phone) == AUTH_FAILED
        assert await still_open(on_laptop)
        assert await close_code(on_laptop, 0.5) is None
    finally:
        await on_phone.close()
        await on_laptop.close()


class Node:
    def __init__(self, server: LiveServer, client: httpx.AsyncClient) -> None:
        self.server = server
        self.client = client


@pytest.fixture
async def two_nodes(
    postgres_database: str, redis_url: str, demo_password_hash: str
) -> AsyncIterator[tuple[DemoSummary, Node, Node]]:
    """Two nodes over one PostgreSQL database and one Redis, with the small demo school."""
    await databases.truncate_all(postgres_database)
    engine = make_engine(postgres_database)
    try:
        demo = await seed_demo(
            make_session_factory(engine), SMALL, password_hash=demo_password_hash
        )
    finally:
        await engine.dispose()
    nodes: list[Node] = []
    try:
        for name in ("a", "b"):
            settings = Settings(
                database_url=postgres_database,
                broker_url=redis_url,
                secret_key=TEST_SECRET,
                node_name=name,
                log_json=True,
                log_level="WARNING",
            )
            server = LiveServer(create_app(settings))
            await server.start()
            nodes.append(Node(server, httpx.AsyncClient(base_url=server.url, timeout=30)))
        yield demo, nodes[0], nodes[1]
    finally:
        for node in nodes:
            await node.client.aclose()
            await node.server.stop()


@pytest.mark.postgres
@pytest.mark.redis
async def test_logout_on_one_node_closes_the_socket_on_the_other(
    two_nodes: tuple[DemoSummary, Node, Node],
) -> None:
    demo, a, b = two_nodes
    tokens = await sign_in(a.client)
    socket = await subscribed_socket(b.server.ws_url, tokens, str(demo.teacher1_id))
    other = await sign_in(b.client)
    bystander = await subscribed_socket(b.server.ws_url, other, str(demo.teacher1_id))
    try:
        started = asyncio.get_running_loop().time()
        await _logout(a.client, tokens, demo)
        assert await close_code(socket) == AUTH_FAILED
        assert asyncio.get_running_loop().time() - started < WITHIN
        assert await still_open(bystander)
    finally:
        await socket.close()
        await bystander.close()
