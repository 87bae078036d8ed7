"""Use case: retract one's own message (it stays as a tombstone; nothing is deleted)."""

from __future__ import annotations

import uuid

from edtech.communication.application.edit_message import change_own_message
from edtech.communication.application.ports import DirectoryPort
from edtech.communication.domain import Message
from edtech.kernel.clock import Clock
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork


class RetractMessage:
    """Only the sender retracts, and only while the messaging policy still lets them write in
    the conversation; the message stays as a tombstone (the body is kept for the audited admin
    export, never shown to participants again)."""

    def __init__(self, uow: UnitOfWork, clock: Clock, directory: DirectoryPort) -> None:
        self.uow = uow
        self.clock = clock
        self.directory = directory

    async def __call__(
        self, principal: Principal, conversation_id: uuid.UUID, message_id: uuid.UUID
    ) -> Message:
        return await change_own_message(
            self.uow, self.clock, self.directory, principal, conversation_id, message_id, None
        )
