"""Use case: start a conversation the messaging policy allows."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from edtech.communication.application.common import (
    own_profile,
    policy_and_blockers,
)
from edtech.communication.application.ports import Directory, DirectoryPort
from edtech.communication.domain import (
    Context,
    ContextKind,
    Conversation,
    ConversationKind,
    Profile,
    direct_key,
)
from edtech.communication.infrastructure import SqlAlchemyConversations
from edtech.kernel.clock import Clock
from edtech.kernel.errors import ForbiddenError, NotFoundError
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork


@dataclass(frozen=True)
class StartConversationCommand:
    kind: ConversationKind
    participant_ids: list[uuid.UUID]
    context: Context | None = None
    title: str | None = None


@dataclass(frozen=True)
class Started:
    conversation_id: uuid.UUID
    created: bool


class StartConversation:
    """Start a direct or group conversation, optionally about a student or a section.

    The messaging policy must allow the starter to message every other participant about the
    context, and nobody named may have blocked the starter. Starting a direct conversation
    that already exists (same two people, same context) returns the existing one.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, directory: DirectoryPort) -> None:
        self.uow = uow
        self.clock = clock
        self.directory = directory

    async def __call__(self, principal: Principal, cmd: StartConversationCommand) -> Started:
        uow, now = self.uow, self.clock.now()
        async with uow:
            directory = self.directory(uow.session)
            inst = principal.institution_id
            starter = await own_profile(directory, principal)
            await _check_context(directory, inst, cmd.context)
            others = [p for p in dict.fromkeys(cmd.participant_ids) if p != principal.person_id]
            profiles = await _profiles(directory, inst, others)
            policy, blockers = await policy_and_blockers(
                uow.session, inst, starter.person_id, others
            )
            for other in profiles:
                verdict = policy.may_start(starter, other, cmd.context)
                if not verdict:
                    raise ForbiddenError(verdict.reason, person_id=str(other.person_id))
            if blockers:
                raise ForbiddenError("someone you named has blocked you")
            conversations = SqlAlchemyConversations(uow.session)
            if cmd.kind is ConversationKind.DIRECT and len(others) == 1:
                key = direct_key([principal.person_id, *others], cmd.context)
                existing = await conversations.find_direct(inst, key)
                if existing is not None:
                    return Started(existing.id, created=False)
            conv = Conversation.start(
                id=new_id(),
                institution_id=inst,
                kind=cmd.kind,
                context=cmd.context,
                title=cmd.title,
                created_by=principal.person_id,
                others=others,
                at=now,
            )
            conversations.add(conv)
            await uow.commit()
            return Started(conv.id, created=True)


async def _check_context(directory: Directory, inst: uuid.UUID, context: Context | None) -> None:
    if context is None:
        return
    if context.kind is ContextKind.SECTION:
        found = await directory.section_exists(inst, context.id)
    else:
        found = await directory.person_exists(inst, context.id)
    if not found:
        raise NotFoundError(f"{context.kind.value} not found", context_id=str(context.id))


async def _profiles(directory: Directory, inst: uuid.UUID, ids: list[uuid.UUID]) -> list[Profile]:
    profiles: list[Profile] = []
    for person_id in ids:
        profile = await directory.profile(inst, person_id)
        if profile is None:
            raise NotFoundError("person not found", person_id=str(person_id))
        profiles.append(profile)
    return profiles
