"""Use case: edit one's own message (every earlier body is kept)."""

from __future__ import annotations

import uuid

from edtech.communication.application.common import conversation_for
from edtech.communication.application.ports import DirectoryPort
from edtech.communication.application.post_message import check_may_send
from edtech.communication.domain import Message
from edtech.communication.infrastructure import SqlAlchemyMessages, conflicts_as
from edtech.kernel.clock import Clock
from edtech.kernel.errors import NotFoundError
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork


class EditMessage:
    """Only the sender edits their message, and only while the messaging policy still lets
    them write in the conversation; each earlier body is kept as a version."""

    def __init__(self, uow: UnitOfWork, clock: Clock, directory: DirectoryPort) -> None:
        self.uow = uow
        self.clock = clock
        self.directory = directory

    async def __call__(
        self, principal: Principal, conversation_id: uuid.UUID, message_id: uuid.UUID, body: str
    ) -> Message:
        return await change_own_message(
            self.uow, self.clock, self.directory, principal, conversation_id, message_id, body
        )


async def change_own_message(
    uow: UnitOfWork,
    clock: Clock,
    directory: DirectoryPort,
    principal: Principal,
    conversation_id: uuid.UUID,
    message_id: uuid.UUID,
    body: str | None,
) -> Message:
    """Edit (`body`) or retract (None) inside a unit of work; a concurrent change is a 409."""
    async with uow, conflicts_as("the message changed meanwhile; reload and try again"):
        now = clock.now()
        conv = await conversation_for(uow.session, principal, conversation_id)
        # the same rule as posting: a later custody restriction or block stops edits too
        await check_may_send(uow.session, directory(uow.session), principal, conv)
        msg = await SqlAlchemyMessages(uow.session).get(
            principal.institution_id, conversation_id, message_id
        )
        if msg is None:
            raise NotFoundError("message not found", message_id=str(message_id))
        changed = (
            msg.edit(principal.person_id, body, now)
            if body is not None
            else msg.retract(principal.person_id, now)
        )
        if changed:
            await uow.commit()
        else:
            # answered unchanged: it must stay readable once the unit of work rolls back
            uow.session.expunge(msg)
        return msg
