"""Use cases: report a message, block and unblock people, export a conversation, quiet hours,
and the institution's messaging settings."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from edtech.communication.application.common import (
    Collaborators,
    conversation_for,
    own_profile,
)
from edtech.communication.domain import (
    ConversationExported,
    MessageReported,
    PolicySettings,
    QuietHours,
    clean_reason,
    may_block,
    may_export,
)
from edtech.communication.domain.safety import MIN_EXPORT_REASON
from edtech.communication.infrastructure import (
    SqlAlchemyConversations,
    SqlAlchemyMessages,
    SqlAlchemySafety,
)
from edtech.communication.infrastructure.queries import export_rows
from edtech.kernel.errors import ForbiddenError, NotFoundError
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Principal


class ReportMessage:
    """A participant reports a message to the institution's admins; reporting twice keeps the
    first report."""

    def __init__(self, deps: Collaborators) -> None:
        self.deps = deps

    async def __call__(
        self, principal: Principal, conversation_id: uuid.UUID, message_id: uuid.UUID, reason: str
    ) -> uuid.UUID:
        text = clean_reason(reason)
        async with self.deps.uow as uow:
            now = self.deps.clock.now()
            await conversation_for(uow.session, principal, conversation_id)
            msg = await SqlAlchemyMessages(uow.session).get(
                principal.institution_id, conversation_id, message_id
            )
            if msg is None:
                raise NotFoundError("message not found", message_id=str(message_id))
            safety = SqlAlchemySafety(uow.session)
            existing = await safety.reported(message_id, principal.person_id)
            if existing is not None:
                return existing
            report_id = new_id()
            await safety.add_report(
                id=report_id,
                institution_id=principal.institution_id,
                message_id=message_id,
                conversation_id=conversation_id,
                reporter_id=principal.person_id,
                reason=text,
                created_at=now,
            )
            uow.emit(
                MessageReported(
                    institution_id=principal.institution_id,
                    occurred_at=now,
                    report_id=report_id,
                    conversation_id=conversation_id,
                    message_id=message_id,
                    reporter_id=principal.person_id,
                )
            )
            await uow.commit()
            return report_id


class BlockPerson:
    """Block someone in your institution (not yourself, not an admin): they can no longer
    start a conversation with you or write to you directly."""

    def __init__(self, deps: Collaborators) -> None:
        self.deps = deps

    async def __call__(self, principal: Principal, person_id: uuid.UUID) -> None:
        async with self.deps.uow as uow:
            directory = self.deps.directory()
            me = await own_profile(directory, principal)
            other = await directory.profile(principal.institution_id, person_id)
            if other is None:
                raise NotFoundError("person not found", person_id=str(person_id))
            may_block(me, other)
            safety = SqlAlchemySafety(uow.session)
            if await safety.block(
                principal.institution_id, me.person_id, person_id, self.deps.clock.now()
            ):
                await uow.commit()


class UnblockPerson:
    """Lift one's own block; lifting a block that does not exist changes nothing."""

    def __init__(self, deps: Collaborators) -> None:
        self.deps = deps

    async def __call__(self, principal: Principal, person_id: uuid.UUID) -> None:
        async with self.deps.uow as uow:
            if await SqlAlchemySafety(uow.session).unblock(principal.person_id, person_id):
                await uow.commit()


@dataclass(frozen=True)
class Export:
    export_id: uuid.UUID
    conversation: dict[str, Any]
    messages: list[dict[str, Any]]


class ExportConversation:
    """An admin exports a whole conversation — every version and retracted message included —
    giving a reason; the export itself is recorded (who, when, why) and announced as an event."""

    def __init__(self, deps: Collaborators) -> None:
        self.deps = deps

    async def __call__(
        self, principal: Principal, conversation_id: uuid.UUID, reason: str
    ) -> Export:
        text = clean_reason(reason, minimum=MIN_EXPORT_REASON)
        async with self.deps.uow as uow:
            now = self.deps.clock.now()
            may_export(await own_profile(self.deps.directory(), principal))
            conv = await SqlAlchemyConversations(uow.session).get(
                principal.institution_id, conversation_id
            )
            if conv is None:
                raise NotFoundError("conversation not found", conversation_id=str(conversation_id))
            export_id = new_id()
            await SqlAlchemySafety(uow.session).add_export(
                id=export_id,
                institution_id=principal.institution_id,
                conversation_id=conversation_id,
                actor_id=principal.person_id,
                reason=text,
                created_at=now,
            )
            header, messages = await export_rows(uow.session, conv)
            uow.emit(
                ConversationExported(
                    institution_id=principal.institution_id,
                    occurred_at=now,
                    conversation_id=conversation_id,
                    actor_id=principal.person_id,
                    reason=text,
                )
            )
            await uow.commit()
            return Export(export_id, header, messages)


class SetQuietHours:
    """Staff set (or clear, with None) their own quiet hours, in the institution's time zone."""

    def __init__(self, deps: Collaborators) -> None:
        self.deps = deps

    async def __call__(self, principal: Principal, hours: QuietHours | None) -> None:
        if not principal.is_staff:
            raise ForbiddenError("quiet hours are for staff")
        async with self.deps.uow as uow:
            await SqlAlchemySafety(uow.session).set_quiet_hours(
                principal.institution_id, principal.person_id, hours, self.deps.clock.now()
            )
            await uow.commit()


class SetMessagingSettings:
    """Institution admins choose the configurable parts of the messaging policy."""

    def __init__(self, deps: Collaborators) -> None:
        self.deps = deps

    async def __call__(self, principal: Principal, settings: PolicySettings) -> PolicySettings:
        if not principal.is_institution_admin:
            raise ForbiddenError("only institution admins configure the messaging policy")
        async with self.deps.uow as uow:
            await SqlAlchemySafety(uow.session).save_settings(
                principal.institution_id, settings, self.deps.clock.now()
            )
            await uow.commit()
            return settings
