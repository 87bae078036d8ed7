"""Use case: report a message to the institution's admins."""

from __future__ import annotations

import uuid

from edtech.communication.application.common import conversation_for
from edtech.communication.domain import MessageReported, clean_reason
from edtech.communication.infrastructure import SqlAlchemyMessages, SqlAlchemySafety
from edtech.kernel.clock import Clock
from edtech.kernel.errors import NotFoundError
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork


class ReportMessage:
    """A participant reports a message to the institution's admins; reporting twice keeps the
    first report."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow = uow
        self.clock = clock

    async def __call__(
        self, principal: Principal, conversation_id: uuid.UUID, message_id: uuid.UUID, reason: str
    ) -> uuid.UUID:
        text = clean_reason(reason)
        async with self.uow as uow:
            now = self.clock.now()
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
