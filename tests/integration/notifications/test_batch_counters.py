"""The batch's running counters (moved by one per settled attempt and per recipient first
reached, never recounted) equal a recount of its notifications and attempts once the batch is
done — with a push retried until it went through, one that failed after its last try, a token
the provider refused, a guardian with no device and one who read it before any rung ran — and
the REST counts and the last `notifications.progress` event say the same. On SQLite and
PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from fastapi import FastAPI

from edtech.kernel.clock import FixedClock
from edtech.notifications.infrastructure import notification, notification_attempt
from tests.integration.attendance.helpers import School, Socket
from tests.integration.notifications.announcing import S01_GUARDIANS, announce, settled, token
from tests.integration.notifications.helpers import RecordedFcm, drain
from tests.roster import login
from tests.servers import LiveServer
from tests.smtp import SmtpServer

RETRIED, EXHAUSTED, REFUSED, NO_DEVICE, READER = S01_GUARDIANS[1:6]


async def recount(app: FastAPI, batch_id: uuid.UUID) -> dict[str, Any]:
    """The batch's counts the slow way: counted from its rows."""
    async with app.state.services.session_factory() as session:
        sent = (
            sa.select(notification_attempt.c.notification_id)
            .where(
                notification_attempt.c.notification_id == notification.c.id,
                notification_attempt.c.state == "sent",
            )
            .exists()
        )
        reached = await session.scalar(
            sa.select(sa.func.count())
            .select_from(notification)
            .where(
                notification.c.batch_id == batch_id,
                sa.or_(notification.c.seen_at.is_not(None), sent),
            )
        )
        rows = await session.execute(
            sa.select(notification_attempt.c.channel, notification_attempt.c.state, sa.func.count())
            .where(notification_attempt.c.batch_id == batch_id)
            .group_by(notification_attempt.c.channel, notification_attempt.c.state)
        )
        channels: dict[str, dict[str, int]] = {}
        for channel, state, count in rows:
            bucket = channels.setdefault(
                channel, {"sent": 0, "failed": 0, "skipped": 0, "pending": 0}
            )
            bucket[state if state in bucket else "pending"] += count
    return {"reached": reached, "channels": channels}


async def test_batch_counters_equal_a_recount_after_failures_and_retries(
    app: FastAPI,
    live_server: LiveServer,
    client: httpx.AsyncClient,
    school: School,
    smtp_server: SmtpServer,
    clock: FixedClock,
    fcm: tuple[RecordedFcm, Path],
) -> None:
    recorded, _ = fcm
    for email in S01_GUARDIANS:
        if email == NO_DEVICE:
            continue
        device = f"gone-{token(email)}" if email == REFUSED else token(email)
        r = await client.post(
            "/api/v1/me/push-devices",
            json={"platform": "fcm", "token": device},
            headers=await login(client, email),
        )
        assert r.status_code == 201, r.text
    recorded.unavailable = {token(RETRIED): 2, token(EXHAUSTED): -1}

    announcement = await announce(client, school, "urgent", "Early pick-up")
    batch_id = uuid.UUID(announcement["id"])
    teacher = await login(client, "teacher1@demo.test")
    url = f"/api/v1/notification-batches/{batch_id}"
    before = (await client.get(url, headers=teacher)).json()
    assert before["reached"] == 0
    assert before["channels"]["push"] == {"sent": 0, "failed": 0, "skipped": 0, "pending": 9}

    # The reader opens the app before any rung ran: reached once, and both rungs skipped.
    read = await client.post("/api/v1/me/notifications/read", headers=await login(client, READER))
    assert read.status_code in (200, 204), read.text
    assert (await client.get(url, headers=teacher)).json()["reached"] == 1

    ws = await Socket.open(live_server.ws_url, teacher)
    try:
        assert (await ws.subscribe(f"notifications.batch.{batch_id}"))["ok"]
        for _ in range(8):  # the rungs, then their retries as their backoff comes due
            await drain(app)
            clock.advance(timedelta(minutes=10))
        last = await ws.until(settled)
    finally:
        await ws.close()

    got = (await client.get(url, headers=teacher)).json()
    counted = await recount(app, batch_id)
    assert {"reached": got["reached"], "channels": got["channels"]} == counted
    assert {"reached": last["data"]["reached"], "channels": last["data"]["channels"]} == counted
    # What the scenario makes of it, so the recount is not trivially equal.
    others = len(S01_GUARDIANS) - 5
    assert counted == {
        "reached": len(S01_GUARDIANS),
        "channels": {
            "push": {"sent": others + 1, "failed": 2, "skipped": 2, "pending": 0},
            "email": {"sent": len(S01_GUARDIANS) - 1, "failed": 0, "skipped": 1, "pending": 0},
        },
    }
    assert len(recorded.to(token(RETRIED))) == 1
    progress = [e["data"]["reached"] for e in ws.events if e["type"] == "notifications.progress"]
    assert progress == sorted(progress)  # counts only go up
