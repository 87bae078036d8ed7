"""guardian1 on node A and teacher1 on node B chat live through PostgreSQL and Redis; access
withdrawn on one node ends subscriptions held on the other."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from edtech.app import create_app
from edtech.demo import SMALL, seed_demo
from edtech.platform.db.engine import make_engine, make_session_factory
from edtech.settings import Settings
from tests import databases
from tests.integration.communication.helpers import People
from tests.integration.communication.test_live_chat import event_where
from tests.integration.realtime.support import Client
from tests.servers import TEST_SECRET, LiveServer

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

G1, T1 = "guardian1@demo.test", "teacher1@demo.test"


class Node:
    def __init__(self, server: LiveServer, people: People) -> None:
        self.server = server
        self.people = people

    async def socket(self, email: str) -> Client:
        token = (await self.people.as_(email))["Authorization"].removeprefix("Bearer ")
        return await Client.open(self.server.ws_url, token)


@pytest.fixture
async def nodes(
    postgres_database: str, redis_url: str, demo_password_hash: str
) -> AsyncIterator[tuple[Node, Node]]:
    await databases.truncate_all(postgres_database)
    engine = make_engine(postgres_database)
    try:
        demo = await seed_demo(
            make_session_factory(engine), SMALL, password_hash=demo_password_hash
        )
    finally:
        await engine.dispose()
    servers: list[LiveServer] = []
    clients: list[httpx.AsyncClient] = []
    out: list[Node] = []
    for name in ("a", "b"):
        settings = Settings(
            database_url=postgres_database,
            broker_url=redis_url,
            secret_key=TEST_SECRET,
            node_name=name,
            log_json=True,
            log_level="WARNING",
        )
        server = LiveServer(create_app(settings))
        await server.start()
        servers.append(server)
        client = httpx.AsyncClient(base_url=server.url, timeout=10)
        clients.append(client)
        out.append(Node(server, People(client, demo, {})))
    try:
        yield out[0], out[1]
    finally:
        for client in clients:
            await client.aclose()
        for server in servers:
            await server.stop()


def chat(client: Client, channel: str) -> list[dict[str, Any]]:
    return [e for e in client.events if e["channel"] == channel]


def posted(client: Client, channel: str) -> list[dict[str, Any]]:
    return [e for e in chat(client, channel) if e["type"] == "chat.message_posted"]


async def exchange(
    a: Node, b: Node, conv: str, guardian: Client, teacher: Client, teacher_on_a: Client
) -> tuple[int, str]:
    """Messages both ways, delivery and read receipts both ways; returns guardian1's last
    offset and the channel's epoch."""
    channel = f"chat.conversation.{conv}"
    sub = await guardian.subscribe(channel)
    epoch = sub["data"]["epoch"]
    assert (await teacher.subscribe(channel))["ok"] is True
    # teacher1's second device, on node A: the message reaches them on both nodes
    assert (await teacher_on_a.subscribe(channel))["ok"] is True
    sent = await guardian.request("send", channel=channel, id="g-1", data={"body": "Hello from A"})
    assert sent["ok"] is True, sent
    await event_where(teacher, lambda e: e["type"] == "chat.message_posted")
    assert posted(teacher, channel)[0]["data"]["body"] == "Hello from A"
    delivered = await event_where(guardian, lambda e: e["type"] == "chat.delivered")
    assert delivered["data"]["person_id"] == str(b.people.id(T1))
    # teacher1 reads on B: guardian1 sees the receipt on A
    await b.people.client.post(
        f"/api/v1/conversations/{conv}/read",
        json={"up_to_seq": 1},
        headers=await b.people.as_(T1),
    )
    seen = await event_where(guardian, lambda e: e["type"] == "chat.read")
    assert seen["data"]["person_id"] == str(b.people.id(T1))
    assert seen["data"]["read_seq"] == 1
    reply = await teacher.request("send", channel=channel, id="t-1", data={"body": "Hi from B"})
    assert reply["ok"] is True, reply
    await event_where(guardian, lambda e: e["data"].get("body") == "Hi from B")
    back = await event_where(
        teacher, lambda e: e["type"] == "chat.delivered" and e["data"]["seq"] == 2
    )
    assert back["data"]["person_id"] == str(a.people.id(G1))
    # guardian1 reads on A: teacher1 sees the receipt on B
    await a.people.client.post(
        f"/api/v1/conversations/{conv}/read",
        json={"up_to_seq": 2},
        headers=await a.people.as_(G1),
    )
    seen = await event_where(
        teacher, lambda e: e["type"] == "chat.read" and e["data"]["read_seq"] == 2
    )
    assert seen["data"]["person_id"] == str(a.people.id(G1))
    # guardian1's own read receipt comes back on the channel too
    await event_where(guardian, lambda e: e["type"] == "chat.read" and e["data"]["read_seq"] == 2)
    await asyncio.sleep(0.5)
    await guardian.request("ping")  # whatever else arrived meanwhile
    # both nodes saw message 1 reach teacher1: one receipt all the same
    receipts = [
        (e["data"]["seq"], e["data"]["person_id"])
        for e in chat(guardian, channel)
        if e["type"] == "chat.delivered"
    ]
    assert receipts == [(1, str(b.people.id(T1))), (2, str(a.people.id(G1)))]
    return max(e["offset"] for e in chat(guardian, channel)), str(epoch)


async def test_guardian_and_teacher_on_two_nodes_chat_live_and_recover(
    nodes: tuple[Node, Node],
) -> None:
    a, b = nodes
    conv = (await a.people.start(G1, T1)).json()["id"]
    channel = f"chat.conversation.{conv}"
    guardian = await a.socket(G1)
    teacher = await b.socket(T1)
    teacher_on_a = await a.socket(T1)
    try:
        last, epoch = await exchange(a, b, conv, guardian, teacher, teacher_on_a)
        await guardian.close()
        # while guardian1 is away, teacher1 writes twice; guardian1 comes back on node B
        for n in range(2):
            r = await teacher.request(
                "send", channel=channel, id=f"t-{n + 2}", data={"body": f"missed {n}"}
            )
            assert r["ok"] is True
    finally:
        await guardian.close()
        await teacher.close()
        await teacher_on_a.close()
    back = await b.socket(G1)
    try:
        resumed = await back.subscribe(channel, since={"offset": last, "epoch": epoch})
        assert resumed["data"]["recovered"] is True
        missed = await back.wait_events(channel, 2)
        assert missed[:2] == [last + 1, last + 2]
        assert [e["data"]["body"] for e in posted(back, channel)] == ["missed 0", "missed 1"]
        # recovering them delivered them: receipts for both, once each
        for seq in (3, 4):
            await event_where(
                back, lambda e, seq=seq: e["type"] == "chat.delivered" and e["data"]["seq"] == seq
            )
    finally:
        await back.close()
    unread = (
        await b.people.client.get("/api/v1/conversations", headers=await b.people.as_(G1))
    ).json()
    assert unread["unread_total"] == 2
    history = (
        await a.people.client.get(
            f"/api/v1/conversations/{conv}/messages", headers=await a.people.as_(T1)
        )
    ).json()
    reached = {m["seq"]: m["delivered_to"] for m in history["items"]}
    g1, t1 = str(a.people.id(G1)), str(a.people.id(T1))
    assert reached == {4: [g1], 3: [g1], 2: [g1], 1: [t1]}


async def test_access_withdrawn_on_node_a_ends_the_subscription_held_on_node_b(
    nodes: tuple[Node, Node],
) -> None:
    a, b = nodes
    s01 = a.people.demo.section_ids[0]
    channel = f"grades.section.{s01}"
    teacher = await b.socket(T1)
    try:
        assert (await teacher.subscribe(channel))["ok"] is True
        admin = await a.people.as_("admin@demo.test")
        listed = await a.people.client.get(
            "/api/v1/enrollments",
            params={"section_id": str(s01), "person_id": str(a.people.id(T1))},
            headers=admin,
        )
        (enrollment,) = listed.json()["items"]
        ended = await a.people.client.delete(
            f"/api/v1/enrollments/{enrollment['id']}", headers=admin
        )
        assert ended.status_code == 204, ended.text
        notice = await teacher.until(lambda f: f.get("op") == "unsubscribed")
        assert (notice["channel"], notice["error"]["code"]) == (channel, "forbidden")
        assert (await teacher.subscribe(channel))["ok"] is False
    finally:
        await teacher.close()
