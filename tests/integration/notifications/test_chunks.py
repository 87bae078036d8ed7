"""A batch's rungs go out in chunks (`notifications.rungs`, one job per channel and chunk of
notifications): as many jobs as chunks, each guardian sent once per channel with the attempt's
own key; an attempt another transaction holds when its chunk claims is left to the chunk's
next run (PostgreSQL: `FOR UPDATE SKIP LOCKED`) and sent then, once; a settle the database
fails after the calls went out is tried again, not the calls; an attempt whose provider failed
is tried again on its own (a follow-up job of its next try), the others are not."""

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
from sqlalchemy import event

from edtech.kernel.clock import FixedClock
from edtech.notifications.infrastructure import notification, notification_attempt
from edtech.notifications.jobs import fail_stale_attempts
from edtech.platform.jobs.table import job_table as job
from edtech.settings import Settings
from tests.integration.attendance.helpers import School
from tests.integration.notifications.announcing import (
    S01_GUARDIANS,
    announce,
    register_devices,
    token,
    urgent_batch,
)
from tests.integration.notifications.helpers import RecordedFcm, close_s01, drain
from tests.roster import login
from tests.smtp import SmtpServer, addresses


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Chunks of four (`EDTECH_NOTIFY_CHUNK_SIZE`)."""
    notifications = settings.notifications.model_copy(update={"notify_chunk_size": 4})
    return settings.model_copy(update={"notifications": notifications})


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
    batch_id = await urgent_batch(client, school)
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


async def test_several_notifications_outside_a_batch_are_chunked_too(
    app: FastAPI, client: httpx.AsyncClient, school: School, smtp_server: SmtpServer
) -> None:
    """A session's absences tell several guardians in one transaction, no batch: their rungs
    go in chunks (of four here) like an announcement's, each notification in one chunk per
    channel, and every push attempt is settled once the jobs ran."""
    await close_s01(client, school)
    async with app.state.services.session_factory() as session:
        told = set(
            (
                await session.scalars(
                    sa.select(notification.c.id).where(notification.c.category == "absence")
                )
            ).all()
        )
        jobs = (
            await session.execute(
                sa.select(job.c.name, job.c.args).where(job.c.name.like("notifications.rung%"))
            )
        ).all()
    assert len(told) > 4  # more than one chunk's worth
    assert {name for name, _ in jobs} == {"notifications.rungs"}
    for channel in ("push", "email"):
        chunks = [args["notification_ids"] for _, args in jobs if args["channel"] == channel]
        assert all(len(chunk) <= 4 for chunk in chunks)
        ids = [uuid.UUID(i) for chunk in chunks for i in chunk]
        assert sorted(ids) == sorted(told)  # each notification in exactly one chunk

    await drain(app)

    async with app.state.services.session_factory() as session:
        push = Counter(
            (
                await session.scalars(
                    sa.select(notification_attempt.c.state).where(
                        notification_attempt.c.channel == "push",
                        notification_attempt.c.notification_id.in_(told),
                    )
                )
            ).all()
        )
    assert push == {"skipped": len(told)}  # no devices registered: settled, not left pending


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
    batch_id = await urgent_batch(client, school)

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


class SettleFault:
    """The database fails the first `times` statements that settle sent attempts (those that
    set `provider_ref`), as a lost connection would: after the provider calls went out."""

    def __init__(self, app: FastAPI, times: int) -> None:
        self.engine = app.state.services.engine.sync_engine
        self.left = times

    def __call__(self, _conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        settles = (
            statement.startswith("UPDATE notification_attempt") and "provider_ref" in statement
        )
        if self.left and settles:
            self.left -= 1
            raise sa.exc.OperationalError(statement, None, ConnectionResetError("injected"))

    def __enter__(self) -> SettleFault:
        event.listen(self.engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *_exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self)


async def test_a_settle_the_database_fails_is_tried_again_and_no_email_goes_out_twice(
    app: FastAPI,
    client: httpx.AsyncClient,
    school: School,
    smtp_server: SmtpServer,
    clock: FixedClock,
    fcm: tuple[RecordedFcm, Path],
) -> None:
    recorded, _ = fcm
    await register_devices(client)
    with SettleFault(app, times=2) as fault:
        announcement = await announce(client, school, "urgent", "Early pick-up")
        await drain(app)
        clock.advance(timedelta(minutes=10))  # past any job's backoff: a retry would run now
        await drain(app)
    assert fault.left == 0

    for email in S01_GUARDIANS:
        assert len([m for m in smtp_server.inbox if email in addresses(m)]) == 1, email
        assert len(recorded.to(token(email))) == 1, email
    n = len(S01_GUARDIANS)
    batch_id = uuid.UUID(announcement["id"])
    assert await states(app, batch_id) == {("push", "sent"): n, ("email", "sent"): n}
    teacher = await login(client, "teacher1@demo.test")
    got = (await client.get(f"/api/v1/notification-batches/{batch_id}", headers=teacher)).json()
    assert got["channels"]["email"] == {"sent": n, "failed": 0, "skipped": 0, "pending": 0}


async def test_an_attempt_whose_provider_failed_is_tried_again_alone_with_its_own_tries(
    app: FastAPI,
    client: httpx.AsyncClient,
    school: School,
    smtp_server: SmtpServer,
    clock: FixedClock,
    fcm: tuple[RecordedFcm, Path],
) -> None:
    recorded, _ = fcm
    await register_devices(client)
    flaky = S01_GUARDIANS[0]
    recorded.unavailable[token(flaky)] = 2  # FCM answers 503 twice for this device
    announcement = await announce(client, school, "urgent", "Early pick-up")
    batch_id = uuid.UUID(announcement["id"])
    n = len(S01_GUARDIANS)

    await drain(app)
    assert await states(app, batch_id) == {
        ("push", "sent"): n - 1, ("push", "pending"): 1, ("email", "sent"): n
    }  # fmt: skip
    async with app.state.services.session_factory() as session:
        queued = await session.scalars(
            sa.select(job.c.args).where(
                job.c.name == "notifications.rungs", job.c.state == "queued"
            )
        )
        follow_ups = list(queued)
    [follow_up] = follow_ups  # its chunk's job succeeded; one job for that attempt alone
    assert (len(follow_up["notification_ids"]), follow_up["round"]) == (1, 1)

    for _ in range(2):  # its own backoff: 10 s, then 20 s
        clock.advance(timedelta(seconds=30))
        await drain(app)
    assert await states(app, batch_id) == {("push", "sent"): n, ("email", "sent"): n}
    assert len(recorded.to(token(flaky))) == 1
    assert {len(recorded.to(token(e))) for e in S01_GUARDIANS} == {1}
    async with app.state.services.session_factory() as session:
        tries = await session.scalar(
            sa.select(notification_attempt.c.tries)
            .join(notification, notification.c.id == notification_attempt.c.notification_id)
            .where(notification.c.batch_id == batch_id, notification_attempt.c.channel == "push")
            .order_by(notification_attempt.c.tries.desc())
            .limit(1)
        )
    assert tries == 3


async def test_an_attempt_no_job_will_settle_is_failed_by_the_sweep_and_never_sent_again(
    app: FastAPI,
    client: httpx.AsyncClient,
    school: School,
    smtp_server: SmtpServer,
    clock: FixedClock,
    fcm: tuple[RecordedFcm, Path],
) -> None:
    recorded, _ = fcm
    batch_id = await urgent_batch(client, school)
    n, a = notification.c, notification_attempt.c
    factory = app.state.services.session_factory
    async with factory() as session, session.begin():
        first, second = (
            await session.scalars(
                sa.select(a.notification_id)
                .join(notification, n.id == a.notification_id)
                .where(n.batch_id == batch_id, a.channel == "push")
                .order_by(a.notification_id)
                .limit(2)
            )
        ).all()
        # Its chunk's job dead-lettered after the `sending` commit of one attempt, and after a
        # failed try of another (its follow-up job gave up too); every job is dead.
        await session.execute(
            sa.update(notification_attempt)
            .where(a.notification_id == first, a.channel == "push")
            .values(state="sending", tries=1, started_at=clock.now())
        )
        await session.execute(
            sa.update(notification_attempt)
            .where(a.notification_id == second, a.channel == "push")
            .values(state="pending", tries=2, started_at=clock.now(), reason="FCM 503")
        )
        await session.execute(sa.update(job).values(state="failed"))

    assert await fail_stale_attempts(app.state.services) == 0  # not stale yet
    clock.advance(timedelta(hours=1, seconds=1))
    assert await fail_stale_attempts(app.state.services) == 2
    assert await fail_stale_attempts(app.state.services) == 0

    async with factory() as session:
        rows = await session.execute(
            sa.select(a.notification_id, a.state, a.reason).where(
                a.notification_id.in_([first, second]), a.channel == "push"
            )
        )
        found = {r.notification_id: (r.state, r.reason) for r in rows}
    assert found[first][0] == found[second][0] == "failed"
    assert found[first][1].startswith("abandoned")
    assert "FCM 503" in found[second][1]
    assert recorded.sent == []  # the sweep sends nothing
    teacher = await login(client, "teacher1@demo.test")
    got = (await client.get(f"/api/v1/notification-batches/{batch_id}", headers=teacher)).json()
    assert got["channels"]["push"]["failed"] == 2
