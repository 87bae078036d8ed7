"""Repository for announcements (mapped) and their recipients (Core: a set of records)."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.communication.domain import Announcement
from edtech.communication.infrastructure.tables import announcement, announcement_recipient
from edtech.platform.db.bulk import insert_columns


class SqlAlchemyAnnouncements:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, a: Announcement) -> None:
        self.session.add(a)

    async def get(
        self, institution_id: uuid.UUID, announcement_id: uuid.UUID
    ) -> Announcement | None:
        found = await self.session.get(Announcement, announcement_id)
        return found if found is not None and found.institution_id == institution_id else None

    async def due(self, now: datetime, limit: int = 100) -> list[Announcement]:
        """Scheduled announcements whose time has come (locked on PostgreSQL)."""
        stmt = (
            sa.select(Announcement)
            .where(announcement.c.published_at.is_(None), announcement.c.publish_at <= now)
            .order_by(announcement.c.publish_at, announcement.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return list((await self.session.scalars(stmt)).all())

    async def add_recipients(self, a: Announcement, recipients: tuple[uuid.UUID, ...]) -> None:
        """Fix the recipients at publication: one multi-row INSERT (a school may be thousands)."""
        if not recipients:
            return
        # the recipient rows point at the announcement: a new one is inserted first
        await self.session.flush()
        await insert_columns(
            self.session,
            announcement_recipient,
            {"person_id": recipients},
            {"announcement_id": a.id, "institution_id": a.institution_id, "acknowledged_at": None},
        )

    async def is_recipient(self, announcement_id: uuid.UUID, person_id: uuid.UUID) -> bool | None:
        """None: not a recipient; else whether they already acknowledged."""
        stmt = sa.select(announcement_recipient.c.acknowledged_at).where(
            announcement_recipient.c.announcement_id == announcement_id,
            announcement_recipient.c.person_id == person_id,
        )
        row = (await self.session.execute(stmt)).first()
        return None if row is None else row.acknowledged_at is not None

    async def acknowledge(
        self, announcement_id: uuid.UUID, person_id: uuid.UUID, at: datetime
    ) -> None:
        await self.session.execute(
            sa.update(announcement_recipient)
            .where(
                announcement_recipient.c.announcement_id == announcement_id,
                announcement_recipient.c.person_id == person_id,
                announcement_recipient.c.acknowledged_at.is_(None),
            )
            .values(acknowledged_at=at)
        )
