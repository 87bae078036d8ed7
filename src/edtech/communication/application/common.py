"""What the use cases share: tenant-scoped loading, the caller's profile and the policy,
publishing an announcement, and the websocket path's bundle of collaborators."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from edtech.communication.application.ports import Directory, DirectoryPort
from edtech.communication.domain import Announcement, Conversation, MessagingPolicy, Profile
from edtech.communication.infrastructure import (
    RosterDirectory,
    SqlAlchemyAnnouncements,
    SqlAlchemyConversations,
    SqlAlchemySafety,
)
from edtech.kernel.clock import Clock
from edtech.kernel.errors import NotFoundError
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork


def roster_directory(clock: Clock) -> DirectoryPort:
    """The directory port over the roster (institutions' public module), judged on today at
    each institution (its time zone) by `clock`."""

    def bind(session: AsyncSession) -> Directory:
        return RosterDirectory(session, clock)

    return bind


NOT_FOUND = "conversation not found"


async def conversation_for(
    session: AsyncSession,
    principal: Principal,
    conversation_id: uuid.UUID,
    loaded: Mapping[uuid.UUID, Conversation] | None = None,
) -> Conversation:
    """The conversation if the caller takes part in it; otherwise 404, exactly like a missing one
    (a non-participant may not learn that it exists). Taken from `loaded` (conversations of
    any institution, read already in this transaction) when there."""
    conv = loaded.get(conversation_id) if loaded is not None else None
    if conv is None:
        conv = await SqlAlchemyConversations(session).get(principal.institution_id, conversation_id)
    elif conv.institution_id != principal.institution_id:
        conv = None
    if conv is None or not conv.is_participant(principal.person_id):
        raise NotFoundError(NOT_FOUND, conversation_id=str(conversation_id))
    return conv


async def own_profile(directory: Directory, principal: Principal) -> Profile:
    profile = await directory.profile(principal.institution_id, principal.person_id)
    if profile is None:
        raise NotFoundError("you are not a current member of this institution")
    return profile


async def policy_and_blockers(
    session: AsyncSession, institution_id: uuid.UUID, person_id: uuid.UUID, people: list[uuid.UUID]
) -> tuple[MessagingPolicy, set[uuid.UUID]]:
    """The institution's messaging policy, and which of `people` have blocked `person_id`: one
    round trip (starting a conversation and every message ask both)."""
    guards = await SqlAlchemySafety(session).guards(institution_id, person_id, people, [])
    return MessagingPolicy(guards.settings), guards.blockers


async def publish_announcement(
    uow: UnitOfWork, directory: Directory, announcement: Announcement, now: datetime
) -> None:
    """Resolve the audience now, record the recipients; the announcement raises
    `announcement.published` (collected by the unit of work with the rest)."""
    recipients = await directory.audience(announcement.institution_id, announcement.audience)
    announcement.publish(recipients, now)
    kept = [r for r in dict.fromkeys(recipients) if r != announcement.sender_id]
    await SqlAlchemyAnnouncements(uow.session).add_recipients(announcement, tuple(kept))
