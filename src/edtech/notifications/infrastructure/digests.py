"""The daily digest's statements (Core: a sent-marker and the held notifications' attempts).

* the marker — one `notification_digest` row per (person, school day), unique: inserted
  `ON CONFLICT DO NOTHING` and locked (`FOR UPDATE`) by the digest job, which claims the day's
  held notifications (their email attempts `pending` → `sending`) and commits before the
  email goes, then marks both `sent`. Run again it finds the marker final and does nothing;
  finding it `sending` (a node died around the send) it sends the same items again with the
  same Message-ID.
* held notifications — `notification.digest_day` set, their email attempt `pending` with the
  digest's time as `due_at`; no rung job.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.notifications.domain.digest import next_slot
from edtech.notifications.infrastructure.repository import FINAL
from edtech.notifications.infrastructure.tables import (
    notification,
    notification_attempt,
    notification_digest,
)
from edtech.platform.db.engine import dialect_insert

EMAIL = "email"


@dataclass(frozen=True)
class DueDigest:
    """A person's digest whose time has come, and its marker's state (None: not claimed)."""

    institution_id: uuid.UUID
    person_id: uuid.UUID
    day: date
    marker: str | None


@dataclass(frozen=True)
class Marker:
    id: uuid.UUID
    state: str
    tries: int
    destination: str | None


@dataclass(frozen=True)
class HeldItem:
    id: uuid.UUID
    batch_id: uuid.UUID | None
    title: str
    body: str
    read: bool
    tries: int


class SqlDigests:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def due(self, now: datetime) -> list[DueDigest]:
        """Each (person, day) with a held notification still `pending` whose digest is due."""
        n, a, d = notification.c, notification_attempt.c, notification_digest.c
        rows = await self.session.execute(
            sa.select(n.institution_id, n.person_id, n.digest_day, d.state)
            .join(notification_attempt, sa.and_(a.notification_id == n.id, a.channel == EMAIL))
            .outerjoin(
                notification_digest, sa.and_(d.person_id == n.person_id, d.day == n.digest_day)
            )
            .where(n.digest_day.is_not(None), a.state == "pending", a.due_at <= now)
            .group_by(n.institution_id, n.person_id, n.digest_day, d.state)
            .order_by(n.digest_day, n.person_id)
        )
        return [DueDigest(r.institution_id, r.person_id, r.digest_day, r.state) for r in rows]

    async def roll_over(self, person_id: uuid.UUID, day: date, zone: ZoneInfo) -> int:
        """The held notifications that came after the day's digest was sent wait for the next
        day's (same hour): one digest per person and day, ever."""
        n, a = notification.c, notification_attempt.c
        rows = (
            await self.session.execute(
                sa.select(n.id, a.due_at)
                .join(notification_attempt, sa.and_(a.notification_id == n.id, a.channel == EMAIL))
                .where(n.person_id == person_id, n.digest_day == day, a.state == "pending")
            )
        ).all()
        for r in rows:
            following, due = next_slot(day, r.due_at, zone)
            await self.session.execute(
                sa.update(notification).where(n.id == r.id).values(digest_day=following)
            )
            await self.session.execute(
                sa.update(notification_attempt)
                .where(a.notification_id == r.id, a.channel == EMAIL)
                .values(due_at=due)
            )
        return len(rows)

    async def claim(
        self,
        marker_id: uuid.UUID,
        institution_id: uuid.UUID,
        person_id: uuid.UUID,
        day: date,
        now: datetime,
    ) -> Marker:
        """The day's marker, inserted if new (`pending`, until this transaction moves it on),
        locked until the commit."""
        d = notification_digest.c
        await self.session.execute(
            dialect_insert(self.session)(notification_digest)
            .values(
                id=marker_id,
                institution_id=institution_id,
                person_id=person_id,
                day=day,
                state="pending",
                items=0,
                tries=0,
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=[d.person_id, d.day])
        )
        r = (
            await self.session.execute(
                sa.select(d.id, d.state, d.tries, d.destination)
                .where(d.person_id == person_id, d.day == day)
                .with_for_update()
            )
        ).one()
        return Marker(r.id, r.state, r.tries, r.destination)

    async def mark(self, marker_id: uuid.UUID, **values: Any) -> None:
        await self.session.execute(
            sa.update(notification_digest)
            .where(notification_digest.c.id == marker_id)
            .values(**values)
        )

    async def items(self, person_id: uuid.UUID, day: date, state: str) -> list[HeldItem]:
        """The day's held notifications whose email attempt is in `state`, oldest first."""
        n, a = notification.c, notification_attempt.c
        rows = await self.session.execute(
            sa.select(n.id, n.batch_id, n.title, n.body, n.read_at, a.tries)
            .join(notification_attempt, sa.and_(a.notification_id == n.id, a.channel == EMAIL))
            .where(n.person_id == person_id, n.digest_day == day, a.state == state)
            .order_by(n.created_at, n.id)
        )
        return [
            HeldItem(r.id, r.batch_id, r.title, r.body, r.read_at is not None, r.tries)
            for r in rows
        ]

    async def settle(self, notification_ids: Sequence[uuid.UUID], **values: Any) -> int:
        """Move these email attempts (those not final yet); returns how many moved."""
        if not notification_ids:
            return 0
        a = notification_attempt.c
        result = await self.session.execute(
            sa.update(notification_attempt)
            .where(
                a.notification_id.in_(list(notification_ids)),
                a.channel == EMAIL,
                a.state.not_in(FINAL),
            )
            .values(**values)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]
