"""The composition root wires the socket to identity's `principal_from_access_token`."""

from __future__ import annotations

import asyncio

import pytest
from websockets.exceptions import ConnectionClosed

from edtech.app import create_app
from edtech.settings import Settings
from tests.integration.realtime.support import Client, token_for
from tests.servers import LiveServer


async def test_tokens_identity_does_not_know_are_refused_with_4001(settings: Settings) -> None:
    server = LiveServer(create_app(settings))  # no test override: the real identity check
    await server.start()
    try:
        services = server.app.state.services
        for token in ("garbage", token_for(services)):  # the latter is not an access token
            client = await Client.open(server.ws_url, token)
            with pytest.raises(ConnectionClosed) as closed:
                await asyncio.wait_for(client.ws.recv(), 10)
            assert closed.value.rcvd is not None
            assert closed.value.rcvd.code == 4001
    finally:
        await server.stop()
