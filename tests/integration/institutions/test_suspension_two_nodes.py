"""A suspension made through node A closes the institution's sockets held on node A and on
node B at once, and no other institution's (PostgreSQL and Redis, two real servers)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from edtech.app import create_app
from edtech.identity.public import provision_institution
from edtech.institutions.public import NewTenant
from edtech.settings import Settings
from tests import databases
from tests.servers import TEST_SECRET, LiveServer

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

BOOTSTRAP = "bootstrap-token-for-tests-0123456789abcdef"
PASSWORD = "a long passphrase 42"


@pytest.fixture
async def nodes(postgres_database: str, redis_url: str) -> AsyncIterator[list[LiveServer]]:
    await databases.truncate_all(postgres_database)
    servers: list[LiveServer] = []
    try:
        for name in ("a", "b"):
            settings = Settings(
                database_url=postgres_database,
                broker_url=redis_url,
                secret_key=TEST_SECRET,
                node_name=name,
                log_json=True,
                log_level="WARNING",
                background_jobs=False,
                bootstrap_token=BOOTSTRAP,
            )
            server = LiveServer(create_app(settings))
            await server.start()
            servers.append(server)
        yield servers
    finally:
        for server in servers:
            await server.stop()


def tenant(slug: str) -> NewTenant:
    return NewTenant(
        name=slug.title(),
        slug=slug,
        timezone="UTC",
        locale="en",
        currency="EUR",
        admin_email=f"office@{slug}.example",
    )


async def access_token(client: httpx.AsyncClient, email: str) -> str:
    r = await client.post("/api/v1/auth/token", data={"username": email, "password": PASSWORD})
    assert r.status_code == 200, r.text
    token: str = r.json()["access_token"]
    return token


async def open_socket(server: LiveServer, token: str) -> ClientConnection:
    """A socket on `server`, known to be authenticated and registered (it answered a ping)."""
    ws = await connect(f"{server.ws_url}/ws?token={token}")
    await answers_ping(ws)
    return ws


async def answers_ping(ws: ClientConnection) -> None:
    await ws.send(json.dumps({"op": "ping"}))
    while json.loads(await asyncio.wait_for(ws.recv(), 5))["op"] != "pong":
        pass


async def test_suspending_on_one_node_closes_the_tenants_sockets_on_both(
    nodes: list[LiveServer], postgres_database: str
) -> None:
    a, b = nodes
    settings = Settings(database_url=postgres_database, secret_key=TEST_SECRET)
    hill = await provision_institution(settings, tenant("hill"), PASSWORD)
    await provision_institution(settings, tenant("vale"), PASSWORD)
    async with httpx.AsyncClient(base_url=a.url) as client:
        token = await access_token(client, "office@hill.example")
        other = await access_token(client, "office@vale.example")
        hill_sockets = [await open_socket(a, token), await open_socket(b, token)]
        vale_sockets = [await open_socket(a, other), await open_socket(b, other)]
        r = await client.post(
            f"/api/v1/institutions/{hill.institution_id}/suspend",
            headers={"Authorization": f"Bearer {BOOTSTRAP}"},
        )
        assert r.status_code == 204, r.text
        for ws in hill_sockets:  # the one on the suspending node and the one on the other
            with pytest.raises(ConnectionClosed) as closed:
                await asyncio.wait_for(drain(ws), 5)
            assert closed.value.rcvd is not None
            assert closed.value.rcvd.code == 4001
        for ws in vale_sockets:  # another institution's sockets stay open on both nodes
            await answers_ping(ws)
            await ws.close()


async def drain(ws: ClientConnection) -> None:
    """Read frames until the server closes the socket (which raises ConnectionClosed)."""
    while True:
        await ws.recv()
