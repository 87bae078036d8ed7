"""Delivery receipts: a message reached at least one of a recipient's connections, shown live
to the other participants and kept in the message history."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.integration.communication.helpers import People
from tests.integration.communication.test_live_chat import event_where, open_as
from tests.servers import LiveServer

G1, T1 = "guardian1@demo.test", "teacher1@demo.test"


def receipts(events: list[dict[str, Any]], channel: str) -> list[dict[str, Any]]:
    return [e["data"] for e in events if e["channel"] == channel and e["type"] == "chat.delivered"]


async def delivered_to(people: People, conv: str, who: str) -> dict[int, list[str]]:
    page = await people.client.get(
        f"/api/v1/conversations/{conv}/messages", headers=await people.as_(who)
    )
    assert page.status_code == 200, page.text
    return {m["seq"]: m["delivered_to"] for m in page.json()["items"]}


async def test_a_message_reaching_the_teacher_is_receipted_once_live_and_in_history(
    people: People, live_server: LiveServer
) -> None:
    conv = (await people.start(G1, T1)).json()["id"]
    channel = f"chat.conversation.{conv}"
    guardian = await open_as(people, live_server, G1)
    phone = await open_as(people, live_server, T1)
    laptop = await open_as(people, live_server, T1)
    teacher_id = str(people.id(T1))
    try:
        assert (await guardian.subscribe(channel))["ok"] is True
        # two devices, and the message reaches them on two channels: still one receipt
        assert (await phone.subscribe(channel))["ok"] is True
        assert (await phone.subscribe(f"user.{teacher_id}"))["ok"] is True
        assert (await laptop.subscribe(channel))["ok"] is True
        sent = await guardian.request("send", channel=channel, id="g-1", data={"body": "Hi"})
        assert sent["ok"] is True, sent
        receipt = await event_where(guardian, lambda e: e["type"] == "chat.delivered")
        assert receipt["channel"] == channel
        data = receipt["data"]
        assert {k: v for k, v in data.items() if k != "delivered_at"} == {
            "conversation_id": conv,
            "message_id": sent["data"]["message_id"],
            "seq": 1,
            "person_id": teacher_id,
        }
        # the teacher's devices see it too (it is the conversation's channel)
        await event_where(phone, lambda e: e["type"] == "chat.delivered")
        await asyncio.sleep(0.5)
        await guardian.request("ping")  # read whatever else arrived meanwhile
        assert len(receipts(guardian.events, channel)) == 1
        assert await delivered_to(people, conv, G1) == {1: [teacher_id]}
        # the teacher's answer reaches the guardian, the sender's own sockets count for nothing
        answer = await phone.request("send", channel=channel, id="t-1", data={"body": "Hello"})
        assert answer["ok"] is True
        back = await event_where(
            laptop, lambda e: e["type"] == "chat.delivered" and e["data"]["seq"] == 2
        )
        assert back["data"]["person_id"] == str(people.id(G1))
        assert await delivered_to(people, conv, T1) == {2: [str(people.id(G1))], 1: [teacher_id]}
    finally:
        for client in (guardian, phone, laptop):
            await client.close()


async def test_no_receipt_until_the_message_reaches_the_recipient_then_on_recovery(
    people: People, live_server: LiveServer
) -> None:
    conv = (await people.start(G1, T1)).json()["id"]
    channel = f"chat.conversation.{conv}"
    guardian = await open_as(people, live_server, G1)
    try:
        sub = await guardian.subscribe(channel)
        sent = await guardian.request("send", channel=channel, id="g-1", data={"body": "Hi"})
        assert sent["ok"] is True
        await asyncio.sleep(0.5)
        await guardian.request("ping")
        # only the sender's own socket had it: not delivered
        assert receipts(guardian.events, channel) == []
        assert await delivered_to(people, conv, G1) == {1: []}
        # the teacher comes online and recovers from before the message
        teacher = await open_as(people, live_server, T1)
        try:
            since = {"offset": 0, "epoch": sub["data"]["epoch"]}
            resumed = await teacher.subscribe(channel, since=since)
            assert resumed["data"]["recovered"] is True
            receipt = await event_where(guardian, lambda e: e["type"] == "chat.delivered")
            assert receipt["data"]["person_id"] == str(people.id(T1))
        finally:
            await teacher.close()
        assert await delivered_to(people, conv, G1) == {1: [str(people.id(T1))]}
    finally:
        await guardian.close()


async def test_an_inbox_notification_alone_delivers_the_message(
    people: People, live_server: LiveServer
) -> None:
    conv = (await people.start(G1, T1)).json()["id"]
    teacher = await open_as(people, live_server, T1)
    try:
        assert (await teacher.subscribe(f"user.{people.id(T1)}"))["ok"] is True
        posted = await people.post(G1, conv, "Are you there?")
        assert posted.status_code == 201
        assert posted.json()["delivered_to"] == []
        await event_where(teacher, lambda e: e["type"] == "chat.message_posted")
        for _ in range(50):
            if (await delivered_to(people, conv, G1))[1]:
                break
            await asyncio.sleep(0.1)
        assert await delivered_to(people, conv, G1) == {1: [str(people.id(T1))]}
    finally:
        await teacher.close()
