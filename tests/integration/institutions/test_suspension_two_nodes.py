"""A suspension made through node A closes the institution's sockets held on node B at once
(PostgreSQL and Redis, two real servers)."""

from __future__ import annotations

import asyncio
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


async def test_suspending_on_one_node_closes_sockets_on_the_other(
    nodes: list[LiveServer], postgres_database: str
) -> None:
    a, b = nodes
    settings = Settings(database_url=postgres_database, secret_key=TEST_SECRET)
    hill = await provision_institution(
        settings,
        NewTenant(
            name="Hill",
            slug="hill",
            timezone="UTC",
            locale="en",
            currency="EUR",
            admin_email="office@hill.example",
        ),
        PASSWORD,
    )
    async with httpx.AsyncClient(base_url=a.url) as client:
        r = await client.post(
            "/api/v1/auth/token", data={"username": "office@hill.example", "password": PASSWORD}
        )
        token = r.json()["access_token"]
        async with connect(f"{b.ws_url}/ws?token={token}") as ws:
            await asyncio.sleep(0.3)  # authenticated and registered on node B
            r = await client.post(
                f"/api/v1/institutions/{hill.institution_id}/suspend",
                headers={"Authorization": f"Bearer {BOOTSTRAP}"},
            )
            assert r.status_code == 204, r.text
            with pytest.raises(ConnectionClosed) as closed:
                await asyncio.wait_for(drain(ws), 5)
            assert closed.value.rcvd is not None
            assert closed.value.rcvd.code == 4001


async def drain(ws: ClientConnection) -> None:
    """Read frames until the server closes the socket (which raises ConnectionClosed)."""
    while True:
        await ws.recv()
