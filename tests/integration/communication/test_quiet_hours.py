"""Quiet hours and scheduled announcements on a node whose clock the test moves."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI

from edtech.app import create_app
from edtech.communication.application import ReleaseDue, roster_directory
from edtech.kernel.clock import FixedClock
from edtech.settings import Settings
from tests.integration.communication.helpers import People
from tests.integration.communication.test_live_chat import open_as
from tests.servers import LiveServer

G1, T1 = "guardian1@demo.test", "teacher1@demo.test"
ADMIN = "admin@demo.test"
DEMO_ZONE = ZoneInfo("America/New_York")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime.now(UTC).replace(second=0, microsecond=0))


@pytest.fixture
def app(settings: Settings, clock: FixedClock) -> FastAPI:
    return create_app(settings, clock=clock)


async def release(live_server: LiveServer, clock: FixedClock) -> int:
    services = live_server.app.state.services
    return await ReleaseDue(services.uow(), clock, roster_directory(clock))()


async def quiet_now(people: People, clock: FixedClock, who: str) -> datetime:
    """`who` keeps quiet hours from an hour ago to two hours from now; when they end."""
    local = clock.now().astimezone(DEMO_ZONE)
    hours = {
        "starts_at": (local - timedelta(hours=1)).strftime("%H:%M"),
        "ends_at": (local + timedelta(hours=2)).strftime("%H:%M"),
    }
    r = await people.client.put("/api/v1/quiet-hours/me", json=hours, headers=await people.as_(who))
    assert r.status_code == 200, r.text
    return datetime.fromisoformat(r.json()["quiet_until"])


async def test_message_to_teacher_in_quiet_hours_notifies_only_when_they_end(
    people: People, live_server: LiveServer, clock: FixedClock
) -> None:
    until = await quiet_now(people, clock, T1)
    assert until == clock.now() + timedelta(hours=2)
    conv = (await people.start(G1, T1)).json()["id"]
    channel = f"chat.conversation.{conv}"
    inbox = f"user.{people.id(T1)}"
    teacher = await open_as(people, live_server, T1)
    guardian = await open_as(people, live_server, G1)
    try:
        assert (await teacher.subscribe(inbox))["ok"] is True
        assert (await teacher.subscribe(channel))["ok"] is True
        assert (await guardian.subscribe(channel))["ok"] is True
        posted = await people.post(G1, conv, "Is the trip still on?")
        assert posted.status_code == 201
        (notice,) = posted.json()["notices"]
        assert notice["person_id"] == str(people.id(T1))
        assert datetime.fromisoformat(notice["until"]) == until
        # the message arrives in the conversation, with the automatic note to the sender
        await guardian.wait_events(channel, 2)
        kinds = [e["data"]["kind"] for e in guardian.events if e["channel"] == channel]
        assert kinds == ["text", "notice"]
        note = [e for e in guardian.events if e["channel"] == channel][1]["data"]
        assert "quiet hours" in note["body"]
        # a second message during the same quiet hours: no second note
        await people.post(G1, conv, "Sorry, one more thing")
        await guardian.wait_events(channel, 3)
        # the teacher reads during quiet hours: the guardian does not see it yet
        read = await people.client.post(
            f"/api/v1/conversations/{conv}/read",
            json={"up_to_seq": 3},
            headers=await people.as_(T1),
        )
        assert read.json()["receipt_held"] is True
        seen = await people.client.get(
            f"/api/v1/conversations/{conv}", headers=await people.as_(G1)
        )
        cursor = {p["person_id"]: p["read_seq"] for p in seen.json()["participants"]}
        assert cursor[str(people.id(T1))] == 0
        await asyncio.sleep(0.3)
        assert [e for e in teacher.events if e["channel"] == inbox] == []
        assert not [e for e in guardian.events if e["type"] == "chat.read"]
        assert await release(live_server, clock) == 0  # nothing is due yet

        clock.advance(timedelta(hours=2))
        assert await release(live_server, clock) == 3  # two messages, one receipt
        released = await teacher.until(lambda f: f.get("channel") == inbox)
        assert released["type"] == "chat.notifications_released"
        assert released["data"]["conversation_ids"] == [conv]
        assert len(released["data"]["message_ids"]) == 2
        receipt = await guardian.until(lambda f: f.get("type") == "chat.read")
        assert receipt["data"]["read_seq"] == 3
        assert await release(live_server, clock) == 0  # released once
    finally:
        await teacher.close()
        await guardian.close()
    people.headers.clear()  # tokens were issued before the clock moved
    seen = await people.client.get(f"/api/v1/conversations/{conv}", headers=await people.as_(G1))
    assert seen.status_code == 200, seen.text
    cursor = {p["person_id"]: p["read_seq"] for p in seen.json()["participants"]}
    assert cursor[str(people.id(T1))] == 3


async def test_quiet_hours_are_for_staff_and_validated(people: People) -> None:
    guardian = await people.client.put(
        "/api/v1/quiet-hours/me",
        json={"starts_at": "20:00", "ends_at": "07:00"},
        headers=await people.as_(G1),
    )
    assert guardian.status_code == 403
    same = await people.client.put(
        "/api/v1/quiet-hours/me",
        json={"starts_at": "07:00", "ends_at": "07:00"},
        headers=await people.as_(T1),
    )
    assert same.status_code == 422
    cleared = await people.client.delete("/api/v1/quiet-hours/me", headers=await people.as_(T1))
    assert cleared.status_code == 204
    got = await people.client.get("/api/v1/quiet-hours/me", headers=await people.as_(T1))
    assert got.json()["starts_at"] is None
    assert got.json()["timezone"] == "America/New_York"


async def test_scheduled_announcement_is_published_when_due(
    people: People, live_server: LiveServer, clock: FixedClock
) -> None:
    at = clock.now() + timedelta(hours=1)
    r = await people.client.post(
        "/api/v1/announcements",
        json={
            "title": "Parents' evening",
            "body": "Tomorrow at 6 pm.",
            "audience": {
                "kind": "section_guardians",
                "section_id": str(people.demo.section_ids[0]),
            },
            "publish_at": at.isoformat(),
        },
        headers=await people.as_(T1),
    )
    assert r.status_code == 201, r.text
    assert r.json()["published_at"] is None
    g1 = await people.as_(G1)
    assert (await people.client.get("/api/v1/announcements", headers=g1)).json()["items"] == []
    assert await release(live_server, clock) == 0
    clock.advance(timedelta(hours=1))
    assert await release(live_server, clock) == 1
    people.headers.clear()
    mine = (await people.client.get("/api/v1/announcements", headers=await people.as_(G1))).json()
    assert [a["title"] for a in mine["items"]] == ["Parents' evening"]


async def test_group_messages_hold_notifications_for_members_in_quiet_hours(
    people: People, clock: FixedClock
) -> None:
    """A member's message (checked against the starter, the quiet hours read with that check)
    and the starter's own (not checked) both find the member in quiet hours."""
    until = await quiet_now(people, clock, T1)
    started = await people.start(ADMIN, T1, G1, kind="group")
    assert started.status_code == 201, started.text
    conv = started.json()["id"]
    for who in (G1, ADMIN):
        posted = await people.post(who, conv, f"From {who}")
        assert posted.status_code == 201, posted.text
        notices = posted.json()["notices"]
        held = [(n["person_id"], datetime.fromisoformat(n["until"])) for n in notices]
        assert held == [(str(people.id(T1)), until)]
