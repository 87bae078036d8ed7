"""Repository for announcements and their recipients."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.communication.domain import Announcement, Audience, AudienceKind, Priority
from edtech.communication.infrastructure.tables import announcement, announcement_recipient
from edtech.kernel.principal import Role


class SqlAlchemyAnnouncements:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, a: Announcement) -> None:
        await self.session.execute(
            sa.insert(announcement).values(
                id=a.id,
                institution_id=a.institution_id,
                sender_id=a.sender_id,
                title=a.title,
                body=a.body,
                priority=a.priority.value,
                audience_kind=a.audience.kind.value,
                audience_school_id=a.audience.school_id,
                audience_section_id=a.audience.section_id,
                audience_role=a.audience.role.value if a.audience.role else None,
                requires_ack=a.requires_ack,
                publish_at=a.publish_at,
                published_at=a.published_at,
                created_at=a.created_at,
            )
        )

    async def get(
        self, institution_id: uuid.UUID, announcement_id: uuid.UUID
    ) -> Announcement | None:
        row = (
            await self.session.execute(
                sa.select(announcement).where(
                    announcement.c.institution_id == institution_id,
                    announcement.c.id == announcement_id,
                )
            )
        ).first()
        return None if row is None else to_announcement(row._mapping)

    async def due(self, now: datetime, limit: int = 100) -> list[Announcement]:
        """Scheduled announcements whose time has come (locked on PostgreSQL)."""
        stmt = (
            sa.select(announcement)
            .where(announcement.c.published_at.is_(None), announcement.c.publish_at <= now)
            .order_by(announcement.c.publish_at, announcement.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [to_announcement(r._mapping) for r in (await self.session.execute(stmt)).all()]

    async def published(self, a: Announcement, recipients: tuple[uuid.UUID, ...]) -> None:
        await self.session.execute(
            sa.update(announcement)
            .where(announcement.c.id == a.id)
            .values(published_at=a.published_at)
        )
        if recipients:
            await self.session.execute(
                sa.insert(announcement_recipient),
                [
                    {
                        "announcement_id": a.id,
                        "person_id": r,
                        "institution_id": a.institution_id,
                        "acknowledged_at": None,
                    }
                    for r in recipients
                ],
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


def to_announcement(row: Any) -> Announcement:
    return Announcement(
        id=row["id"],
        institution_id=row["institution_id"],
        sender_id=row["sender_id"],
        title=row["title"],
        body=row["body"],
        priority=Priority(row["priority"]),
        audience=Audience(
            AudienceKind(row["audience_kind"]),
            school_id=row["audience_school_id"],
            section_id=row["audience_section_id"],
            role=Role(row["audience_role"]) if row["audience_role"] else None,
        ),
        requires_ack=row["requires_ack"],
        publish_at=row["publish_at"],
        created_at=row["created_at"],
        published_at=row["published_at"],
    )
