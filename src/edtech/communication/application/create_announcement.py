"""Use case: create an announcement, published now or at `publish_at`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from edtech.communication.application.common import own_profile, publish_announcement
from edtech.communication.application.ports import AttachmentClaims, DirectoryPort, NoAttachments
from edtech.communication.domain import (
    Announcement,
    Audience,
    Priority,
    check_attachment_ids,
    may_announce,
)
from edtech.communication.infrastructure import SqlAlchemyAnnouncements
from edtech.kernel.clock import Clock
from edtech.kernel.errors import NotFoundError
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork


@dataclass(frozen=True)
class AnnounceCommand:
    title: str
    body: str
    audience: Audience
    priority: Priority = Priority.NORMAL
    requires_ack: bool = False
    publish_at: datetime | None = None
    attachment_ids: tuple[uuid.UUID, ...] = ()


class CreateAnnouncement:
    """Announce to a school, a section, a role or the guardians of a section — now, or at
    `publish_at`. Admins reach any audience; teachers their own sections and those sections'
    guardians. The recipients are the audience's members at the moment of publication. It may
    carry up to ten files the sender uploaded beforehand as attachments, checked and claimed as
    a message's are; its recipients (and the sender) may download them."""

    def __init__(
        self,
        uow: UnitOfWork,
        clock: Clock,
        directory: DirectoryPort,
        attachments: AttachmentClaims | None = None,
    ) -> None:
        self.uow = uow
        self.clock = clock
        self.directory = directory
        self.attachments = attachments or NoAttachments()

    async def __call__(self, principal: Principal, cmd: AnnounceCommand) -> Announcement:
        async with self.uow as uow:
            now = self.clock.now()
            directory = self.directory(uow.session)
            sender = await own_profile(directory, principal)
            section_id = cmd.audience.section_id
            if section_id is not None and not await directory.section_exists(
                principal.institution_id, section_id
            ):
                raise NotFoundError("section not found", section_id=str(section_id))
            school_id = cmd.audience.school_id
            if school_id is not None and not await directory.school_exists(
                principal.institution_id, school_id
            ):
                raise NotFoundError("school not found", school_id=str(school_id))
            may_announce(sender, cmd.audience)
            file_ids = check_attachment_ids(cmd.attachment_ids)
            announcement_id = new_id()
            attached = (
                await self.attachments.claim(
                    uow.session, principal, file_ids, "announcement", announcement_id
                )
                if file_ids
                else ()
            )
            announcement = Announcement(
                id=announcement_id,
                institution_id=principal.institution_id,
                sender_id=principal.person_id,
                title=cmd.title,
                body=cmd.body,
                priority=cmd.priority,
                audience=cmd.audience,
                requires_ack=cmd.requires_ack,
                publish_at=max(cmd.publish_at or now, now),
                created_at=now,
                attachments=attached,
            )
            SqlAlchemyAnnouncements(uow.session).add(announcement)
            if announcement.is_due(now):
                await publish_announcement(uow, directory, announcement, now)
            await uow.commit()
            return announcement
