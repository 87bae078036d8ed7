"""`send` over a real socket: one receipt per client id is the one duplicate check."""

from __future__ import annotations

import asyncio

import pytest
from fastapi import FastAPI

from edtech.settings import Settings
from tests.integration.realtime.support import Client, new_room, realtime_app, token_for
from tests.servers import LiveServer


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return realtime_app(settings)


async def test_a_retry_the_handler_would_refuse_now_still_gets_the_first_reply(
    live_server: LiveServer,
) -> None:
    channel = f"test.room.{new_room()}"
    client = await Client.open(live_server.ws_url, token_for(live_server.app.state.services))
    assert (await client.subscribe(channel))["ok"] is True
    first = await client.request("send", channel=channel, id="c-1", data={"text": "hi", "n": 1})
    # the same id again, with data the handler refuses: the first reply, nothing new
    again = await client.request(
        "send", channel=channel, id="c-1", data={"text": "conflict", "n": 2}
    )
    assert first["data"] == {"accepted": 1}
    assert again["ok"] is True
    assert again["data"] == {"accepted": 1, "duplicate": True}
    assert await client.wait_events(channel, 1) == [1]
    await asyncio.sleep(0.3)  # nothing more may arrive
    assert [e["data"]["n"] for e in client.events] == [1]
    await client.close()


async def test_concurrent_sends_with_one_id_take_effect_once(live_server: LiveServer) -> None:
    channel = f"test.room.{new_room()}"
    services = live_server.app.state.services
    watcher = await Client.open(live_server.ws_url, token_for(services))
    assert (await watcher.subscribe(channel))["ok"] is True
    # one person, two sockets, one client id: as a client retrying on a second connection
    person_token = token_for(services)
    retried = [await Client.open(live_server.ws_url, person_token) for _ in range(2)]
    for c in retried:
        assert (await c.subscribe(channel))["ok"] is True
    data = {"text": "x", "n": 5}
    replies = await asyncio.gather(
        *(c.request("send", channel=channel, id="same", data=data) for c in retried)
    )
    assert all(r["ok"] for r in replies), replies
    assert sorted(bool(r["data"].get("duplicate")) for r in replies) == [False, True]
    await watcher.wait_events(channel, 1)
    await asyncio.sleep(0.3)
    assert [e["data"]["n"] for e in watcher.events] == [5]
    for c in [*retried, watcher]:
        await c.close()
