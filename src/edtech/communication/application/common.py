"""What the use cases share: the roster port, tenant-scoped loading, handing events over."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from edtech.communication.domain import Audience, Conversation, MessagingPolicy, Profile
from edtech.communication.infrastructure import (
    RosterDirectory,
    SqlAlchemyConversations,
    SqlAlchemySafety,
)
from edtech.kernel.clock import Clock
from edtech.kernel.errors import NotFoundError
from edtech.kernel.events import Aggregate
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork


class Directory(Protocol):
    """The roster facts this slice needs (adapter: `RosterDirectory` over institutions.public)."""

    async def profile(self, institution_id: uuid.UUID, person_id: uuid.UUID) -> Profile | None: ...

    async def timezone(self, institution_id: uuid.UUID) -> ZoneInfo: ...

    async def display_names(
        self, institution_id: uuid.UUID, person_ids: list[uuid.UUID]
    ) -> dict[uuid.UUID, str]: ...

    async def section_exists(self, institution_id: uuid.UUID, section_id: uuid.UUID) -> bool: ...

    async def school_exists(self, institution_id: uuid.UUID, school_id: uuid.UUID) -> bool: ...

    async def person_exists(self, institution_id: uuid.UUID, person_id: uuid.UUID) -> bool: ...

    async def audience(self, institution_id: uuid.UUID, audience: Audience) -> list[uuid.UUID]: ...


DirectoryFactory = Callable[[AsyncSession, date], Directory]


@dataclass
class Collaborators:
    """What a use case runs with: a unit of work, the clock and the roster."""

    uow: UnitOfWork
    clock: Clock
    directory_factory: DirectoryFactory = RosterDirectory

    def directory(self) -> Directory:
        return self.directory_factory(self.uow.session, self.clock.now().date())


def emit_from(uow: UnitOfWork, *aggregates: Aggregate) -> None:
    """Hand the aggregates' events to the unit of work (rows are written with Core, so the
    session does not track these aggregates itself)."""
    for aggregate in aggregates:
        for event in aggregate.pull_events():
            uow.emit(event)


NOT_FOUND = "conversation not found"


async def conversation_for(
    session: AsyncSession, principal: Principal, conversation_id: uuid.UUID
) -> Conversation:
    """The conversation if the caller takes part in it; otherwise 404, exactly like a missing one
    (a non-participant may not learn that it exists)."""
    conv = await SqlAlchemyConversations(session).get(principal.institution_id, conversation_id)
    if conv is None or not conv.is_participant(principal.person_id):
        raise NotFoundError(NOT_FOUND, conversation_id=str(conversation_id))
    return conv


async def own_profile(directory: Directory, principal: Principal) -> Profile:
    profile = await directory.profile(principal.institution_id, principal.person_id)
    if profile is None:
        raise NotFoundError("you are not a current member of this institution")
    return profile


async def policy_for(session: AsyncSession, institution_id: uuid.UUID) -> MessagingPolicy:
    return MessagingPolicy(await SqlAlchemySafety(session).settings(institution_id))
