"""A chat message sent over the websocket (`send` on `chat.conversation.{id}`) is notified as
one posted over REST: the command's transaction runs the node's sinks, so a recipient with no
open socket gets the notification and its ladder — once, however often the client retries the
command. On SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import httpx
import sqlalchemy as sa
from fastapi import FastAPI

from edtech.notifications.infrastructure import notification, notification_attempt
from edtech.platform.jobs.table import job_table as job
from tests.integration.attendance.helpers import School
from tests.integration.notifications.helpers import RecordedFcm, drain, notifications, with_device
from tests.integration.realtime.support import Client
from tests.roster import login
from tests.servers import LiveServer

TEACHER, GUARDIAN = "teacher1@demo.test", "guardian1@demo.test"
DEVICE = "fcm-device-token-of-guardian1-0002"


async def test_a_message_sent_over_the_socket_notifies_a_guardian_with_no_socket_once(
    app: FastAPI,
    client: httpx.AsyncClient,
    live_server: LiveServer,
    school: School,
    fcm: tuple[RecordedFcm, Path],
) -> None:
    recorded, _ = fcm
    guardian = await with_device(client, GUARDIAN, DEVICE)
    teacher = await login(client, TEACHER)
    started = await client.post(
        "/api/v1/conversations",
        json={"kind": "direct", "participant_ids": [str(school.demo.guardian1_id)]},
        headers=teacher,
    )
    assert started.status_code in (200, 201), started.text
    channel = f"chat.conversation.{started.json()['id']}"

    socket = await Client.open(live_server.ws_url, teacher["Authorization"].removeprefix("Bearer "))
    try:
        assert (await socket.subscribe(channel))["ok"] is True
        replies = [
            await socket.request("send", channel=channel, id="ws-1", data={"body": "Hello!"})
            for _ in range(3)  # the client retries: one message, one notification
        ]
    finally:
        await socket.close()
    assert all(r["ok"] for r in replies), replies
    assert [r["data"].get("duplicate", False) for r in replies] == [False, True, True]

    [notice] = await notifications(client, guardian)
    assert notice["category"] == "message"
    assert notice["title"].startswith("New message from ")
    assert "Hello!" in notice["body"]
    assert {a["channel"]: a["state"] for a in notice["attempts"]} == {"push": "pending"}
    async with app.state.services.session_factory() as session:
        rungs = await session.scalar(
            sa.select(sa.func.count()).select_from(job).where(job.c.name == "notifications.rung")
        )
        attempts = await session.scalar(
            sa.select(sa.func.count())
            .select_from(notification_attempt)
            .join(notification, notification.c.id == notification_attempt.c.notification_id)
            .where(notification.c.person_id == school.demo.guardian1_id)
        )
    assert (rungs, attempts) == (1, 1)

    await drain(app)  # the push delay is 0 in these tests: the first rung is due
    [pushed] = recorded.to(DEVICE)
    assert pushed["notification"]["title"].startswith("New message from ")
    [notice] = await notifications(client, guardian)
    assert {a["channel"]: a["state"] for a in notice["attempts"]} == {"push": "sent"}
    # The teacher who sent it is told nothing.
    assert await notifications(client, teacher) == []
