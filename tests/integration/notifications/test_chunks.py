"""A batch's rungs go out in chunks (`notifications.rungs`, one job per channel and chunk of
notifications): as many jobs as chunks, each guardian sent once per channel with the attempt's
own key; an attempt another transaction holds when its chunk claims is left to the chunk's
next run (PostgreSQL: `FOR UPDATE SKIP LOCKED`) and sent then, once."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI

from edtech.kernel.clock import FixedClock
from edtech.notifications.infrastructure import notification, notification_attempt
from edtech.platform.jobs.table import job_table as job
from edtech.settings import Settings
from tests.integration.attendance.helpers import School
from tests.integration.notifications.helpers import RecordedFcm, drain
from tests.integration.notifications.test_announcements_and_preferences import (
    S01_GUARDIANS,
    announce,
    token,
)
from tests.roster import login
from tests.smtp import SmtpServer


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Chunks of four (`EDTECH_NOTIFY_CHUNK_SIZE`)."""
    notifications = settings.notifications.model_copy(update={"notify_chunk_size": 4})
    return settings.model_copy(update={"notifications": notifications})


async def register_devices(client: httpx.AsyncClient) -> None:
    for email in S01_GUARDIANS:
        r = await client.post(
            "/api/v1/me/push-devices",
            json={"platform": "fcm", "token": token(email)},
            headers=await login(client, email),
        )
        assert r.status_code == 201, r.text


async def states(app: FastAPI, batch_id: uuid.UUID) -> Counter[tuple[str, str]]:
    async with app.state.services.session_factory() as session:
        rows = await session.execute(
            sa.select(notification_attempt.c.channel, notification_attempt.c.state).where(
                notification_attempt.c.batch_id == batch_id
            )
        )
        return Counter((r.channel, r.state) for r in rows)


async def test_a_batch_is_sent_in_chunks_once_per_guardian_and_channel(
    app: FastAPI,
    client: httpx.AsyncClient,
    school: School,
    smtp_server: SmtpServer,
    fcm: tuple[RecordedFcm, Path],
) -> None:
    recorded, _ = fcm
    await register_devices(client)

    announcement = await announce(client, school, "urgent", "Early pick-up")
    batch_id = uuid.UUID(announcement["id"])
    async with app.state.services.session_factory() as session:
        jobs = await session.execute(
            sa.select(job.c.name, job.c.args).where(job.c.name.like("notifications.rung%"))
        )
        chunks = [(name, args["channel"], len(args["notification_ids"])) for name, args in jobs]
    n = len(S01_GUARDIANS)  # 9 guardians: chunks of 4, 4 and 1 per channel
    assert sorted(chunks) == sorted(
        ("notifications.rungs", ch, size) for ch in ("push", "email") for size in (4, 4, 1)
    )

    await drain(app)

    assert await states(app, batch_id) == {("push", "sent"): n, ("email", "sent"): n}
    for email in S01_GUARDIANS:
        pushed = recorded.to(token(email))
        assert len(pushed) == 1
    keys = [m["android"]["collapse_key"] for m in recorded.sent]
    assert len(keys) == len(set(keys)) == n  # one key per attempt
    teacher = await login(client, "teacher1@demo.test")
    got = (await client.get(f"/api/v1/notification-batches/{batch_id}", headers=teacher)).json()
    assert got["reached"] == n
    assert got["channels"]["push"] == {"sent": n, "failed": 0, "skipped": 0, "pending": 0}


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)  # SKIP LOCKED
async def test_an_attempt_held_elsewhere_is_left_to_the_chunks_next_run_and_sent_once(
    app: FastAPI,
    client: httpx.AsyncClient,
    school: School,
    smtp_server: SmtpServer,
    clock: FixedClock,
    fcm: tuple[RecordedFcm, Path],
) -> None:
    recorded, _ = fcm
    await register_devices(client)
    announcement = await announce(client, school, "urgent", "Early pick-up")
    batch_id = uuid.UUID(announcement["id"])

    factory = app.state.services.session_factory
    async with factory() as holder:
        # Another transaction holds one push attempt while its chunk claims.
        n, a = notification.c, notification_attempt.c
        held = await holder.scalar(
            sa.select(a.notification_id)
            .join(notification, n.id == a.notification_id)
            .where(n.batch_id == batch_id, a.channel == "push")
            .order_by(a.notification_id)
            .limit(1)
            .with_for_update(of=notification_attempt)
        )
        await asyncio.wait_for(drain(app), timeout=60)
        counted = await states(app, batch_id)
        assert counted[("push", "pending")] == 1
        assert counted[("push", "sent")] == len(S01_GUARDIANS) - 1
        await holder.rollback()

    clock.advance(timedelta(minutes=1))  # the chunk's backoff
    await drain(app)
    counted = await states(app, batch_id)
    assert counted == {("push", "sent"): len(S01_GUARDIANS), ("email", "sent"): len(S01_GUARDIANS)}
    assert held is not None
    keys = Counter(m["android"]["collapse_key"] for m in recorded.sent)
    assert keys[f"{held}:push"] == 1
    assert set(keys.values()) == {1}
