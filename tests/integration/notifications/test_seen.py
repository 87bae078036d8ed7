"""Notifications whose events reached their people's sockets are marked seen (and reached,
moving their batch's counter) in two statements for a whole delivery batch: a notification
seen twice in the batch, one seen before and a key with no notification change nothing more.
On SQLite and PostgreSQL. The use case runs on an engine of its own, so the statements
counted are its own, never the node's background work (the outbox relay polls meanwhile)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import sqlalchemy as sa
from fastapi import FastAPI

from edtech.kernel.clock import FixedClock
from edtech.notifications.application.record_seen import RecordSeen, Seen
from edtech.notifications.infrastructure import notification
from edtech.platform.db.engine import make_engine, make_session_factory
from edtech.platform.db.uow import UnitOfWork
from tests.integration.attendance.helpers import School
from tests.integration.notifications.announcing import announce
from tests.roster import login


async def test_a_delivery_batch_is_marked_seen_in_two_statements(
    app: FastAPI, client: httpx.AsyncClient, school: School, clock: FixedClock
) -> None:
    announcement = await announce(client, school, "normal", "Photo day")
    batch_id = uuid.UUID(announcement["id"])
    teacher = await login(client, "teacher1@demo.test")
    url = f"/api/v1/notification-batches/{batch_id}"
    factory = app.state.services.session_factory
    async with factory() as session:
        rows = (
            await session.execute(
                sa.select(
                    notification.c.person_id, notification.c.event_type, notification.c.source_key
                )
                .where(notification.c.batch_id == batch_id)
                .order_by(notification.c.person_id)
            )
        ).all()
    assert len(rows) >= 4, rows
    keys = [(r.person_id, r.event_type, r.source_key) for r in rows]
    now = clock.now()

    def seen(key: tuple[uuid.UUID, str, str]) -> Seen:
        return Seen(key[0], key[1], key[2], now)

    statements: list[str] = []

    def count(_c: Any, _cur: Any, statement: str, *_rest: Any) -> None:
        statements.append(" ".join(statement.split()[:2]).upper())

    engine = make_engine(app.state.services.settings.database_url, pool_size=1)
    record_seen = RecordSeen(UnitOfWork(make_session_factory(engine)), clock)
    sa.event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        # The first one is seen on its own first.
        assert await record_seen([seen(keys[0])]) == 1
        assert (await client.get(url, headers=teacher)).json()["reached"] == 1
        statements.clear()
        batch = [
            *(seen(k) for k in keys),  # the first again: already seen
            seen(keys[1]),  # twice in one batch (two sockets of one person)
            Seen(uuid.uuid4(), keys[0][1], keys[0][2], now),  # nobody's notification
        ]
        assert await record_seen(batch) == len(keys) - 1
        # Reached and seen for the whole batch, then the batch's counter (then its progress
        # event is staged).
        assert statements[:3] == [
            "UPDATE NOTIFICATION",
            "UPDATE NOTIFICATION",
            "UPDATE NOTIFICATION_BATCH",
        ], statements
        assert statements.count("UPDATE NOTIFICATION") == 2, statements
        assert (await client.get(url, headers=teacher)).json()["reached"] == len(keys)
        # Seen again: nothing changes, the counter stays.
        assert await record_seen(batch) == 0
        assert (await client.get(url, headers=teacher)).json()["reached"] == len(keys)
    finally:
        sa.event.remove(engine.sync_engine, "before_cursor_execute", count)
        await engine.dispose()
    async with factory() as session:
        unseen = await session.scalar(
            sa.select(sa.func.count())
            .select_from(notification)
            .where(notification.c.batch_id == batch_id, notification.c.seen_at.is_(None))
        )
    assert unseen == 0
