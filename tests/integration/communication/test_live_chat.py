"""Live chat over the websocket hub on one node: send, idempotency, receipts, inbox, typing."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

from tests.integration.communication.helpers import People
from tests.integration.realtime.support import Client
from tests.servers import LiveServer

G1, T1 = "guardian1@demo.test", "teacher1@demo.test"


async def open_as(people: People, server: LiveServer, email: str) -> Client:
    token = (await people.as_(email))["Authorization"].removeprefix("Bearer ")
    return await Client.open(server.ws_url, token)


async def event_where(
    client: Client, pred: Callable[[dict[str, Any]], bool], timeout: float = 10
) -> dict[str, Any]:
    """The first event (already received or still to come) that `pred` accepts."""
    for event in client.events:
        if pred(event):
            return event
    return await client.until(lambda f: f.get("op") == "event" and pred(f), timeout)


async def test_send_five_times_stores_one_message_and_fans_out(
    people: People, live_server: LiveServer
) -> None:
    conv = (await people.start(G1, T1)).json()["id"]
    channel = f"chat.conversation.{conv}"
    guardian = await open_as(people, live_server, G1)
    teacher = await open_as(people, live_server, T1)
    try:
        assert (await guardian.subscribe(channel))["ok"] is True
        assert (await teacher.subscribe(channel))["ok"] is True
        inbox = f"user.{people.id(T1)}"
        assert (await teacher.subscribe(inbox))["ok"] is True
        replies = [
            await guardian.request("send", channel=channel, id="tap-1", data={"body": "Hi!"})
            for _ in range(5)
        ]
        assert all(r["ok"] for r in replies), replies
        assert len({r["data"]["message_id"] for r in replies}) == 1
        assert replies[0]["data"]["seq"] == 1
        (offset,) = await teacher.wait_events(channel, 1)
        # the reply (and every retry's) carries the message's offset in the channel
        assert [r["data"]["offset"] for r in replies] == [offset] * 5
        await teacher.wait_events(inbox, 1)
        await asyncio.sleep(0.3)  # nothing more may arrive
        posted = [
            e for e in teacher.events if e["channel"] == channel and e["type"] != "chat.delivered"
        ]
        assert [e["type"] for e in posted] == ["chat.message_posted"]
        assert posted[0]["data"]["body"] == "Hi!"
        assert "notify_ids" not in posted[0]["data"]
        note = [e for e in teacher.events if e["channel"] == inbox]
        assert note[0]["data"]["preview"] == "Hi!"
        history = await people.client.get(
            f"/api/v1/conversations/{conv}/messages", headers=await people.as_(T1)
        )
        assert len(history.json()["items"]) == 1
        # the teacher reads it: the guardian sees the receipt live
        r = await people.client.post(
            f"/api/v1/conversations/{conv}/read",
            json={"up_to_seq": 1},
            headers=await people.as_(T1),
        )
        assert r.status_code == 200
        receipt = await guardian.until(
            lambda f: f.get("type") == "chat.read" and f.get("channel") == channel
        )
        assert receipt["data"] == {
            "conversation_id": conv,
            "person_id": str(people.id(T1)),
            "read_seq": 1,
        }
        # the next message's reply names the offset the teacher receives it at
        second = await guardian.request("send", channel=channel, id="tap-2", data={"body": "Ok"})
        arrived = await event_where(
            teacher, lambda e: e["data"].get("message_id") == second["data"]["message_id"]
        )
        assert arrived["type"] == "chat.message_posted"
        assert second["data"]["offset"] == arrived["offset"] > offset
        # typing is ephemeral: a signal, no offset
        await teacher.ws.send(f'{{"op": "typing", "channel": "{channel}"}}')
        typing = await guardian.until(lambda f: f.get("op") == "signal")
        assert typing["type"] == "typing"
        assert "offset" not in typing
    finally:
        await guardian.close()
        await teacher.close()


async def test_a_send_replaying_a_rest_post_answers_it_and_takes_no_number(
    people: People, live_server: LiveServer
) -> None:
    conv = (await people.start(G1, T1)).json()["id"]
    channel = f"chat.conversation.{conv}"
    first = await people.post(G1, conv, "over REST", client_id="both-1")
    assert first.status_code == 201, first.text
    guardian = await open_as(people, live_server, G1)
    try:
        assert (await guardian.subscribe(channel))["ok"] is True
        again = await guardian.request("send", channel=channel, id="both-1", data={"body": "x"})
        assert again["ok"] is True, again
        assert again["data"]["message_id"] == first.json()["id"]
        assert (again["data"]["seq"], again["data"]["replayed"]) == (1, True)
        assert again["data"]["offset"] is None  # first used over REST
        after = await guardian.request("send", channel=channel, id="both-2", data={"body": "y"})
        assert (after["data"]["seq"], after["data"]["replayed"]) == (2, False)
    finally:
        await guardian.close()
    history = await people.client.get(
        f"/api/v1/conversations/{conv}/messages", headers=await people.as_(T1)
    )
    assert [m["body"] for m in history.json()["items"]] == ["y", "over REST"]


async def test_outsiders_cannot_subscribe_or_send(people: People, live_server: LiveServer) -> None:
    conv = (await people.start(G1, T1)).json()["id"]
    channel = f"chat.conversation.{conv}"
    outsider = await open_as(people, live_server, "teacher2@demo.test")
    try:
        assert (await outsider.subscribe(channel))["error"]["code"] == "forbidden"
        sent = await outsider.request("send", channel=channel, id="x-1", data={"body": "hi"})
        assert sent["ok"] is False
        # the hub takes commands only on subscribed channels, which outsiders never are
        assert sent["error"]["code"] == "not_subscribed"
        unknown = await outsider.subscribe(f"chat.conversation.{uuid.uuid4()}")
        assert unknown["error"]["code"] == "forbidden"
        empty = await outsider.request("send", channel=channel, id="x-2", data={"body": ""})
        assert empty["ok"] is False
    finally:
        await outsider.close()
    guardian = await open_as(people, live_server, G1)
    try:
        assert (await guardian.subscribe(channel))["ok"] is True
        empty = await guardian.request("send", channel=channel, id="g-1", data={"body": " "})
        assert empty["error"]["code"] == "invalid"
        assert empty["error"]["problems"][0]["loc"] == ["body"]
    finally:
        await guardian.close()
    history = await people.client.get(
        f"/api/v1/conversations/{conv}/messages", headers=await people.as_(G1)
    )
    assert history.json()["items"] == []
