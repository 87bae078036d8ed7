"""Use cases: create (publish or schedule) and acknowledge announcements."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from edtech.communication.application.common import Collaborators, Directory, emit_from, own_profile
from edtech.communication.domain import Announcement, Audience, Priority, may_announce
from edtech.communication.infrastructure import SqlAlchemyAnnouncements
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


class CreateAnnouncement:
    """Announce to a school, a section, a role or the guardians of a section — now, or at
    `publish_at`. Admins reach any audience; teachers their own sections and those sections'
    guardians. The recipients are the audience's members at the moment of publication."""

    def __init__(self, deps: Collaborators) -> None:
        self.deps = deps

    async def __call__(self, principal: Principal, cmd: AnnounceCommand) -> Announcement:
        async with self.deps.uow as uow:
            now = self.deps.clock.now()
            directory = self.deps.directory()
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
            announcement = Announcement(
                id=new_id(),
                institution_id=principal.institution_id,
                sender_id=principal.person_id,
                title=cmd.title,
                body=cmd.body,
                priority=cmd.priority,
                audience=cmd.audience,
                requires_ack=cmd.requires_ack,
                publish_at=max(cmd.publish_at or now, now),
                created_at=now,
            )
            repo = SqlAlchemyAnnouncements(uow.session)
            await repo.add(announcement)
            if announcement.is_due(now):
                await publish(uow, directory, announcement, now)
            await uow.commit()
            return announcement


async def publish(
    uow: UnitOfWork, directory: Directory, announcement: Announcement, now: datetime
) -> None:
    """Resolve the audience now, record the recipients and raise `announcement.published`."""
    recipients = await directory.audience(announcement.institution_id, announcement.audience)
    announcement.publish(recipients, now)
    events = announcement.pull_events()
    kept = [r for r in dict.fromkeys(recipients) if r != announcement.sender_id]
    await SqlAlchemyAnnouncements(uow.session).published(announcement, tuple(kept))
    for event in events:
        uow.emit(event)


class AcknowledgeAnnouncement:
    """A recipient confirms they read an announcement; acknowledging twice changes nothing.
    Anyone else gets 404, as if it did not exist."""

    def __init__(self, deps: Collaborators) -> None:
        self.deps = deps

    async def __call__(self, principal: Principal, announcement_id: uuid.UUID) -> None:
        async with self.deps.uow as uow:
            now = self.deps.clock.now()
            repo = SqlAlchemyAnnouncements(uow.session)
            announcement = await repo.get(principal.institution_id, announcement_id)
            state = (
                None
                if announcement is None or announcement.published_at is None
                else await repo.is_recipient(announcement_id, principal.person_id)
            )
            if announcement is None or state is None:
                raise NotFoundError("announcement not found", announcement_id=str(announcement_id))
            if state:
                return
            await repo.acknowledge(announcement_id, principal.person_id, now)
            uow.emit(announcement.acknowledged(principal.person_id, now))
            emit_from(uow, announcement)
            await uow.commit()
