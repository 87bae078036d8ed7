"""Presence and typing: ephemeral, no offsets; and draining with 1012."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from websockets.exceptions import ConnectionClosed

from tests.integration.realtime.support import Client, new_room, token_for
from tests.servers import LiveServer


async def test_presence_lists_people_and_sends_coalesced_diffs(live_server: LiveServer) -> None:
    services = live_server.app.state.services
    channel = f"test.room.{new_room()}"
    ada = await Client.open(live_server.ws_url, token_for(services, name="Ada"))
    bob = await Client.open(live_server.ws_url, token_for(services, name="Bob"))
    await ada.subscribe(channel)
    await bob.subscribe(channel)
    joined = await ada.until(
        lambda f: f.get("op") == "presence_diff" and any(j["name"] == "Bob" for j in f["joins"])
    )
    assert joined["channel"] == channel
    reply = await ada.request("presence", channel=channel)
    assert sorted(m["name"] for m in reply["data"]["members"]) == ["Ada", "Bob"]
    assert reply["data"]["count"] == 2
    await bob.close()
    left = await ada.until(lambda f: f.get("op") == "presence_diff" and f["leaves"])
    assert [m["name"] for m in left["leaves"]] == ["Bob"]
    assert "offset" not in left
    live_server.app.state.realtime.presence._cap = 0  # above the cap: counts only
    only_count = await ada.request("presence", channel=channel)
    assert only_count["data"] == {"channel": channel, "count": 1}
    await ada.close()


async def test_presence_on_a_channel_without_it_is_not_supported(live_server: LiveServer) -> None:
    services = live_server.app.state.services
    channel = f"test.flash.{new_room()}"
    client = await Client.open(live_server.ws_url, token_for(services))
    await client.subscribe(channel)
    reply = await client.request("presence", channel=channel)
    assert reply["error"]["code"] == "not_supported"
    await client.close()


async def test_typing_reaches_others_not_the_sender_and_is_rate_limited(
    live_server: LiveServer,
) -> None:
    services = live_server.app.state.services
    channel = f"test.room.{new_room()}"
    ada = await Client.open(live_server.ws_url, token_for(services, name="Ada"))
    bob = await Client.open(live_server.ws_url, token_for(services, name="Bob"))
    await ada.subscribe(channel)
    await bob.subscribe(channel)
    assert (await ada.request("typing", channel=channel))["ok"] is True
    signal = await bob.until(lambda f: f.get("op") == "signal")
    assert signal["type"] == "typing"
    assert signal["data"]["name"] == "Ada"
    assert "offset" not in signal
    again = await ada.request("typing", channel=channel)
    assert again["error"]["code"] == "rate_limited"
    await asyncio.sleep(0.3)
    assert not any(f.get("op") == "signal" for f in ada.others)
    not_in = await ada.request("typing", channel=f"test.room.{new_room()}")
    assert not_in["error"]["code"] == "not_subscribed"
    await ada.close()
    await bob.close()


async def test_drain_closes_sockets_with_1012_and_readiness_turns_red(
    live_server: LiveServer,
) -> None:
    services = live_server.app.state.services
    clients = [await Client.open(live_server.ws_url, token_for(services)) for _ in range(5)]
    live_server.app.state.realtime.settings.drain_batch = 2
    await live_server.app.state.realtime.drain()
    for client in clients:
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(client.ws.recv(), 5)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 1012
    late = await Client.open(live_server.ws_url, token_for(services))
    with pytest.raises(ConnectionClosed) as refused:
        await asyncio.wait_for(late.ws.recv(), 5)
    assert refused.value.rcvd is not None
    assert refused.value.rcvd.code == 1012
    async with httpx.AsyncClient(base_url=live_server.url) as http:
        ready = await http.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"]["lifecycle"] == "draining"
