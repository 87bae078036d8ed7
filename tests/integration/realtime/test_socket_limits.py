"""Frames the server cannot take: each gets an error reply or a documented close code."""

from __future__ import annotations

import asyncio

import pytest
from fastapi import FastAPI
from websockets.exceptions import ConnectionClosed

from edtech.settings import Settings
from tests.integration.realtime.support import Client, realtime_app, token_for
from tests.servers import LiveServer


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return realtime_app(settings)


async def _open(server: LiveServer) -> Client:
    return await Client.open(server.ws_url, token_for(server.app.state.services))


async def _closed_code(client: Client, timeout: float = 10) -> int | None:
    try:
        async with asyncio.timeout(timeout):
            while True:
                await client.ws.recv()
    except ConnectionClosed as exc:
        return exc.rcvd.code if exc.rcvd else None


async def test_deeply_nested_json_gets_bad_json_and_the_socket_goes_on(
    live_server: LiveServer,
) -> None:
    client = await _open(live_server)
    await client.ws.send("[" * 30_000)
    reply = await client.until(lambda f: f.get("op") == "reply")
    assert reply["ok"] is False
    assert reply["error"]["code"] == "bad_json"
    assert (await client.request("ping"))["op"] == "pong"
    await client.close()


async def test_fragmented_message_over_the_limit_closes_with_1009(
    live_server: LiveServer,
) -> None:
    bystander = await _open(live_server)
    client = await _open(live_server)
    await client.ws.send(iter(['{"op": "ping", "pad": "', "x" * 40_000, "x" * 40_000, '"}']))
    assert await _closed_code(client) == 1009
    assert (await bystander.request("ping"))["op"] == "pong"
    await bystander.close()
