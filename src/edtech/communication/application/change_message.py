"""Use cases: edit and retract one's own message (nothing is ever deleted)."""

from __future__ import annotations

import uuid

from edtech.communication.application.common import Collaborators, conversation_for, emit_from
from edtech.communication.application.post_message import check_may_send
from edtech.communication.domain import Message
from edtech.communication.infrastructure import SqlAlchemyMessages
from edtech.kernel.errors import ConflictError, NotFoundError
from edtech.kernel.principal import Principal


class _ChangeMessage:
    def __init__(self, deps: Collaborators) -> None:
        self.deps = deps

    async def _change(
        self,
        principal: Principal,
        conversation_id: uuid.UUID,
        message_id: uuid.UUID,
        body: str | None,
    ) -> Message:
        async with self.deps.uow as uow:
            now = self.deps.clock.now()
            conv = await conversation_for(uow.session, principal, conversation_id)
            # the same rule as posting: a later custody restriction or block stops edits too
            await check_may_send(uow.session, self.deps.directory(), principal, conv)
            messages = SqlAlchemyMessages(uow.session)
            msg = await messages.get(principal.institution_id, conversation_id, message_id)
            if msg is None:
                raise NotFoundError("message not found", message_id=str(message_id))
            loaded_version, known = msg.version, len(msg.earlier)
            changed = (
                msg.edit(principal.person_id, body, now)
                if body is not None
                else (msg.retract(principal.person_id, now))
            )
            if not changed:
                return msg
            if not await messages.save(msg, loaded_version, known):
                raise ConflictError("the message changed meanwhile; reload and try again")
            emit_from(uow, msg)
            await uow.commit()
            return msg


class EditMessage(_ChangeMessage):
    """Only the sender edits their message, and only while the messaging policy still lets
    them write in the conversation; each earlier body is kept as a version."""

    async def __call__(
        self, principal: Principal, conversation_id: uuid.UUID, message_id: uuid.UUID, body: str
    ) -> Message:
        return await self._change(principal, conversation_id, message_id, body)


class RetractMessage(_ChangeMessage):
    """Only the sender retracts, and only while the messaging policy still lets them write in
    the conversation; the message stays as a tombstone (the body is kept for the audited admin
    export, never shown to participants again)."""

    async def __call__(
        self, principal: Principal, conversation_id: uuid.UUID, message_id: uuid.UUID
    ) -> Message:
        return await self._change(principal, conversation_id, message_id, None)
