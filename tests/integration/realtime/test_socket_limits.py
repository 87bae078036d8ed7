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


LIMIT = 8 * 1024
"""The app's message limit in these tests: far below the server's protocol cap (64 KiB), so
the app's own check, not the protocol's, is what a fragmented message meets."""


def limited(settings: Settings, limit: int) -> Settings:
    realtime = settings.realtime.model_copy(update={"ws_max_frame_bytes": limit})
    return settings.model_copy(update={"realtime": realtime})


async def _send_fragmented(client: Client, total: int, fragment: int) -> None:
    """A ping padded to `total` bytes, sent as one text message in frames of `fragment` bytes
    (first frame fin=False, continuations, the last fin=True) with the sans-I/O protocol, so
    the sizes on the wire are exactly these."""
    head, tail = b'{"op": "ping", "ref": "big", "pad": "', b'"}'
    data = head + b"x" * (total - len(head) - len(tail)) + tail
    pieces = [data[i : i + fragment] for i in range(0, len(data), fragment)]
    assert len(pieces) > 1
    assert all(len(p) <= fragment for p in pieces)
    protocol = client.ws.protocol
    protocol.send_text(pieces[0], fin=False)
    for n, piece in enumerate(pieces[1:], start=2):
        protocol.send_continuation(piece, fin=n == len(pieces))
    client.ws.send_data()  # hand the queued frames to the transport


async def test_fragmented_message_over_the_limit_closes_with_1009(
    settings: Settings,
) -> None:
    """Each fragment is under the limit, their sum is over it: close 1009, never 1006."""
    server = LiveServer(realtime_app(limited(settings, LIMIT)))
    await server.start()
    try:
        bystander = await Client.open(server.ws_url, token_for(server.app.state.services))
        client = await Client.open(server.ws_url, token_for(server.app.state.services))
        await _send_fragmented(client, total=3 * LIMIT, fragment=LIMIT // 2)
        assert await _closed_code(client) == 1009
        assert (await bystander.request("ping"))["op"] == "pong"
        await bystander.close()
    finally:
        await server.stop()


async def test_the_same_fragmented_message_under_a_higher_limit_is_answered(
    settings: Settings,
) -> None:
    """The control: the very message above, with the limit raised over it, is a ping like any
    other — so the test above fails if the limit is not enforced."""
    server = LiveServer(realtime_app(limited(settings, 4 * LIMIT)))
    await server.start()
    try:
        client = await Client.open(server.ws_url, token_for(server.app.state.services))
        await _send_fragmented(client, total=3 * LIMIT, fragment=LIMIT // 2)
        reply = await client.until(lambda f: f.get("ref") == "big")
        assert reply["op"] in ("pong", "reply"), reply
        await client.close()
    finally:
        await server.stop()
