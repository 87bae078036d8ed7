"""Recovery by offset: hot history, the database after the hot window, and ephemeral limits."""

from __future__ import annotations

import asyncio

from tests.integration.realtime.support import Client, commit_posts, new_room, token_for
from tests.servers import LiveServer


def services(server: LiveServer):
    return server.app.state.services


async def _first_session(server: LiveServer, channel: str, room, count: int):
    client = await Client.open(server.ws_url, token_for(services(server)))
    reply = await client.subscribe(channel)
    await commit_posts(services(server), room, range(1, count + 1))
    await client.wait_events(channel, count)
    await client.close()
    return reply["data"]["epoch"], client.events[-1]["offset"]


async def _published(server: LiveServer, channel: str, after: int, upto: int) -> None:
    """Wait until the node's publisher has put offsets up to `upto` into hot history (it
    publishes right after commit, but in its own task)."""
    history = server.app.state.realtime.hub.history
    async with asyncio.timeout(10):
        while upto not in await history.read(channel, after):
            await asyncio.sleep(0.01)


async def test_resubscribe_within_the_hot_window_recovers_from_hot_history(
    live_server: LiveServer,
) -> None:
    room = new_room()
    channel = f"test.room.{room}"
    epoch, last = await _first_session(live_server, channel, room, 2)
    await commit_posts(services(live_server), room, range(3, 6))  # 3 missed, history holds 5
    await _published(live_server, channel, after=last, upto=5)
    client = await Client.open(live_server.ws_url, token_for(services(live_server)))
    reply = await client.subscribe(channel, since={"offset": last, "epoch": epoch})
    assert reply["data"]["recovered"] is True
    assert reply["data"]["offset"] == 5
    assert await client.wait_events(channel, 3) == [3, 4, 5]
    registry = live_server.app.state.services.metrics_registry
    assert registry.get_sample_value("edtech_ws_recoveries_total", {"kind": "hot"}) == 1
    await client.close()


async def test_durable_channel_recovers_from_the_database_past_the_hot_window(
    live_server: LiveServer,
) -> None:
    room = new_room()
    channel = f"test.room.{room}"
    epoch, last = await _first_session(live_server, channel, room, 1)
    await commit_posts(services(live_server), room, range(2, 13))  # 11 missed, history holds 5
    client = await Client.open(live_server.ws_url, token_for(services(live_server)))
    reply = await client.subscribe(channel, since={"offset": last, "epoch": epoch})
    assert reply["data"]["recovered"] is True
    assert await client.wait_events(channel, 11) == list(range(2, 13))
    registry = live_server.app.state.services.metrics_registry
    assert registry.get_sample_value("edtech_ws_recoveries_total", {"kind": "database"}) == 1
    await client.close()


async def test_ephemeral_channel_past_the_hot_window_answers_recovered_false(
    live_server: LiveServer,
) -> None:
    room = new_room()
    channel = f"test.flash.{room}"
    epoch, last = await _first_session(live_server, channel, room, 1)
    await commit_posts(services(live_server), room, range(2, 13))
    client = await Client.open(live_server.ws_url, token_for(services(live_server)))
    reply = await client.subscribe(channel, since={"offset": last, "epoch": epoch})
    assert reply["data"]["recovered"] is False
    assert reply["data"]["offset"] == 12
    await commit_posts(services(live_server), room, [13])
    assert await client.wait_events(channel, 1) == [13]  # live again from the current offset
    await client.close()


async def test_unknown_epoch_answers_recovered_false(live_server: LiveServer) -> None:
    room = new_room()
    channel = f"test.room.{room}"
    _epoch, last = await _first_session(live_server, channel, room, 2)
    client = await Client.open(live_server.ws_url, token_for(services(live_server)))
    reply = await client.subscribe(channel, since={"offset": last, "epoch": "deadbeef"})
    assert reply["data"]["recovered"] is False
    await client.close()


async def test_events_committed_during_recovery_arrive_once_in_order(
    live_server: LiveServer,
) -> None:
    room = new_room()
    channel = f"test.room.{room}"
    epoch, last = await _first_session(live_server, channel, room, 1)
    await commit_posts(services(live_server), room, range(2, 20))
    writer = asyncio.create_task(commit_posts(services(live_server), room, range(20, 60)))
    clients = []
    for _ in range(5):
        client = await Client.open(live_server.ws_url, token_for(services(live_server)))
        reply = await client.subscribe(channel, since={"offset": last, "epoch": epoch})
        assert reply["data"]["recovered"] is True
        clients.append(client)
        await asyncio.sleep(0.02)
    await writer
    for client in clients:
        assert await client.wait_events(channel, 58) == list(range(2, 60))
        await asyncio.sleep(0.2)
        assert [e["offset"] for e in client.events] == list(range(2, 60))
        await client.close()
