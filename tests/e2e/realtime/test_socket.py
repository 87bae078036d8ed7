"""The socket against a real uvicorn node: delivery, authorization, bad input, limits."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime

import pytest
from websockets.exceptions import ConnectionClosed

from edtech.realtime import connection
from tests.integration.realtime.support import (
    TENANT_B,
    Client,
    Noticed,
    commit_posts,
    new_room,
    token_for,
)
from tests.servers import LiveServer


def services(server: LiveServer):
    return server.app.state.services


async def closed_code(client: Client, timeout: float = 10) -> int | None:
    try:
        async with asyncio.timeout(timeout):
            while True:
                await client.ws.recv()
    except ConnectionClosed as exc:
        return exc.rcvd.code if exc.rcvd else None


async def test_event_committed_reaches_the_persons_inbox(live_server: LiveServer) -> None:
    person = uuid.uuid4()
    client = await Client.open(live_server.ws_url, token_for(services(live_server), person))
    reply = await client.subscribe(f"user.{person}")
    assert reply["ok"] is True
    assert reply["data"]["offset"] == 0
    async with services(live_server).uow() as uow:
        uow.emit(
            Noticed(
                institution_id=uuid.uuid4(),
                occurred_at=datetime.now(UTC),
                person_id=person,
                text="grade published",
            )
        )
        await uow.commit()
    event = await client.until(lambda f: f.get("op") == "event")
    assert event["channel"] == f"user.{person}"
    assert event["offset"] == 1
    assert event["type"] == "test.noticed"
    assert event["data"] == {"person_id": str(person), "text": "grade published"}
    assert event["ts"]
    await client.close()


async def test_forbidden_subscriptions_get_one_and_the_same_answer(
    live_server: LiveServer,
) -> None:
    client = await Client.open(live_server.ws_url, token_for(services(live_server)))
    someone_else = await client.subscribe(f"user.{uuid.uuid4()}")
    other_tenant = await client.subscribe(f"test.room.{new_room(TENANT_B)}")
    unknown_room = await client.subscribe(f"test.room.{uuid.uuid4()}")
    for reply in (someone_else, other_tenant, unknown_room):
        assert reply["ok"] is False
        assert reply["error"]["code"] == "forbidden"
    assert len({r["error"]["message"] for r in (someone_else, other_tenant, unknown_room)}) == 1
    await client.close()


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("not json", "bad_json"),
        ("[1, 2]", "bad_json"),
        ('{"op": "dance", "ref": "r"}', "bad_frame"),
        ('{"op": "subscribe", "ref": "r"}', "bad_frame"),
        ('{"op": "subscribe", "ref": "r", "channel": 42}', "bad_frame"),
        (
            '{"op": "subscribe", "ref": "r", "channel": "user.x", "since": {"offset": -1}}',
            "bad_frame",
        ),
        ('{"op": "subscribe", "ref": "r", "channel": "nope.channel"}', "bad_channel"),
        ('{"op": "subscribe", "ref": "r", "channel": "user.not-a-uuid"}', "bad_channel"),
        ('{"op": "unsubscribe", "ref": "r", "channel": "user.x"}', "not_subscribed"),
    ],
)
async def test_bad_input_gets_an_error_reply_and_the_socket_goes_on(
    live_server: LiveServer, frame: str, code: str
) -> None:
    client = await Client.open(live_server.ws_url, token_for(services(live_server)))
    await client.ws.send(frame)
    reply = await client.until(lambda f: f.get("op") == "reply")
    assert reply["ok"] is False
    assert reply["error"]["code"] == code
    pong = await client.request("ping")
    assert pong["op"] == "pong"
    await client.close()


async def test_binary_frame_is_refused_with_an_error(live_server: LiveServer) -> None:
    client = await Client.open(live_server.ws_url, token_for(services(live_server)))
    await client.ws.send(b"\x00\x01")
    reply = await client.until(lambda f: f.get("op") == "reply")
    assert reply["error"]["code"] == "bad_frame"
    await client.close()


async def test_oversized_frame_closes_with_1009_and_others_are_unaffected(
    live_server: LiveServer,
) -> None:
    bystander = await Client.open(live_server.ws_url, token_for(services(live_server)))
    client = await Client.open(live_server.ws_url, token_for(services(live_server)))
    await client.ws.send(json.dumps({"op": "ping", "pad": "x" * 70_000}))
    assert await closed_code(client) == 1009
    assert (await bystander.request("ping"))["op"] == "pong"
    await bystander.close()


async def test_a_frame_that_cannot_be_sent_closes_with_1011_and_others_are_unaffected(
    live_server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fault while sending (here a pong made unsendable on purpose: text UTF-8 cannot hold)
    closes the socket with 1011, so the client reconnects; it had been taken for a gone peer,
    and the socket stayed open answering nothing."""
    bystander = await Client.open(live_server.ws_url, token_for(services(live_server)))
    client = await Client.open(live_server.ws_url, token_for(services(live_server)))
    assert (await client.request("ping"))["op"] == "pong"
    pong = connection.pong_frame
    monkeypatch.setattr(
        connection, "pong_frame", lambda ref: "\ud800" if ref == "bad" else pong(ref)
    )
    await client.ws.send(json.dumps({"op": "ping", "ref": "bad"}))
    assert await closed_code(client) == 1011
    assert (await bystander.request("ping"))["op"] == "pong"
    await bystander.close()


async def test_flood_closes_with_4008_and_others_are_unaffected(live_server: LiveServer) -> None:
    bystander = await Client.open(live_server.ws_url, token_for(services(live_server)))
    client = await Client.open(live_server.ws_url, token_for(services(live_server)))
    for _ in range(200):
        await client.ws.send('{"op":"ping"}')
    assert await closed_code(client) == 4008
    assert (await bystander.request("ping"))["op"] == "pong"
    await bystander.close()


@pytest.mark.parametrize("token", [None, "garbage", "bad-claims"])
async def test_missing_or_bad_token_closes_with_4001(
    live_server: LiveServer, token: str | None
) -> None:
    if token == "bad-claims":
        token = services(live_server).signer.issue(
            "access", "x", datetime.now(UTC), __import__("datetime").timedelta(seconds=60)
        )
    client = await Client.open(live_server.ws_url, token)
    assert await closed_code(client) == 4001


async def test_token_in_subprotocol_is_accepted_and_never_echoed(live_server: LiveServer) -> None:
    token = token_for(services(live_server))
    client = Client(
        await __import__("websockets").asyncio.client.connect(
            f"{live_server.ws_url}/ws", subprotocols=["edtech.v1", f"bearer.{token}"]
        )
    )
    assert client.ws.subprotocol == "edtech.v1"
    assert (await client.request("ping"))["op"] == "pong"
    await client.close()


async def test_expired_access_token_closes_the_socket_with_4001(live_server: LiveServer) -> None:
    client = await Client.open(live_server.ws_url, token_for(services(live_server), ttl=4))
    assert (await client.request("ping"))["op"] == "pong"  # open and authenticated first
    assert await closed_code(client, timeout=20) == 4001


async def test_refresh_keeps_the_socket_open_past_the_first_expiry(
    live_server: LiveServer,
) -> None:
    person = uuid.uuid4()
    client = await Client.open(live_server.ws_url, token_for(services(live_server), person, ttl=6))
    someone_else = await client.request("refresh", token=token_for(services(live_server)))
    assert someone_else["ok"] is False
    assert someone_else["error"]["code"] == "unauthenticated"
    renewed = await client.request("refresh", token=token_for(services(live_server), person))
    assert renewed["ok"] is True
    await asyncio.sleep(7)
    assert (await client.request("ping"))["op"] == "pong"
    await client.close()


async def test_send_retried_with_the_same_id_takes_effect_once(live_server: LiveServer) -> None:
    room = new_room()
    channel = f"test.room.{room}"
    client = await Client.open(live_server.ws_url, token_for(services(live_server)))
    await client.subscribe(channel)
    first = await client.request("send", channel=channel, id="m-1", data={"text": "hi", "n": 7})
    again = await client.request("send", channel=channel, id="m-1", data={"text": "hi", "n": 7})
    assert first["ok"] is True
    assert first["data"] == {"accepted": 7}
    assert again["ok"] is True
    assert again["data"] == {"accepted": 7, "duplicate": True}
    other = await client.request("send", channel=channel, id="m-2", data={"text": "yo", "n": 8})
    assert other["data"] == {"accepted": 8}
    offsets = await client.wait_events(channel, 2)
    await asyncio.sleep(0.5)
    assert [e["data"]["n"] for e in client.events] == [7, 8]
    assert offsets == [1, 2]
    refused = await client.request(
        "send", channel=channel, id="m-3", data={"text": "conflict", "n": 9}
    )
    assert refused["error"]["code"] == "conflict"
    invalid = await client.request("send", channel=channel, id="m-4", data={"text": 1})
    assert invalid["error"]["code"] == "invalid"
    await client.close()


async def test_unsubscribe_stops_events(live_server: LiveServer) -> None:
    room = new_room()
    channel = f"test.room.{room}"
    client = await Client.open(live_server.ws_url, token_for(services(live_server)))
    await client.subscribe(channel)
    await commit_posts(services(live_server), room, [1])
    await client.wait_events(channel, 1)
    assert (await client.request("unsubscribe", channel=channel))["ok"] is True
    await commit_posts(services(live_server), room, [2])
    await asyncio.sleep(0.5)
    assert (await client.request("ping"))["op"] == "pong"
    assert len(client.events) == 1
    await client.close()
