"""Use case: an admin exports a whole conversation, giving a reason."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from edtech.communication.application.common import own_profile
from edtech.communication.application.ports import DirectoryPort
from edtech.communication.domain import ConversationExported, clean_reason, may_export
from edtech.communication.domain.safety import MIN_EXPORT_REASON
from edtech.communication.infrastructure import SqlAlchemyConversations, SqlAlchemySafety
from edtech.communication.infrastructure.queries import export_rows
from edtech.kernel.clock import Clock
from edtech.kernel.errors import NotFoundError
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork


@dataclass(frozen=True)
class Export:
    export_id: uuid.UUID
    conversation: dict[str, Any]
    messages: list[dict[str, Any]]


class ExportConversation:
    """An admin exports a whole conversation — every version and retracted message included —
    giving a reason; the export itself is recorded (who, when, why) and announced as an event."""

    def __init__(self, uow: UnitOfWork, clock: Clock, directory: DirectoryPort) -> None:
        self.uow = uow
        self.clock = clock
        self.directory = directory

    async def __call__(
        self, principal: Principal, conversation_id: uuid.UUID, reason: str
    ) -> Export:
        text = clean_reason(reason, minimum=MIN_EXPORT_REASON)
        async with self.uow as uow:
            now = self.clock.now()
            may_export(await own_profile(self.directory(uow.session), principal))
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
