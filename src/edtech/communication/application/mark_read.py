"""Use case: move one's read cursor in a conversation."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from edtech.communication.application.common import conversation_for
from edtech.communication.application.ports import DirectoryPort
from edtech.communication.infrastructure import SqlAlchemyConversations, SqlAlchemySafety
from edtech.kernel.clock import Clock
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork


@dataclass(frozen=True)
class ReadState:
    read_seq: int
    last_seq: int
    receipt_held: bool


class MarkRead:
    """Read up to message number `up_to` (never backwards). The others see the receipt at
    once — unless the reader is in quiet hours, then only when quiet hours end."""

    def __init__(self, uow: UnitOfWork, clock: Clock, directory: DirectoryPort) -> None:
        self.uow = uow
        self.clock = clock
        self.directory = directory

    async def __call__(
        self, principal: Principal, conversation_id: uuid.UUID, up_to: int
    ) -> ReadState:
        async with self.uow as uow:
            now = self.clock.now()
            conv = await conversation_for(uow.session, principal, conversation_id)
            safety = SqlAlchemySafety(uow.session)
            hidden_until = None
            hours = (await safety.quiet_hours([principal.person_id])).get(principal.person_id)
            if hours is not None:
                tz = await self.directory(uow.session).timezone(principal.institution_id)
                hidden_until = hours.quiet_until(now, tz)
            moved = conv.read(principal.person_id, up_to, now, hidden_until)
            if moved:
                await SqlAlchemyConversations(uow.session).save_cursor(conv, principal.person_id)
                if hidden_until is not None:
                    await safety.hold(
                        id=new_id(),
                        institution_id=principal.institution_id,
                        person_id=principal.person_id,
                        conversation_id=conv.id,
                        message_id=None,
                        kind="read",
                        release_at=hidden_until,
                        created_at=now,
                        released_at=None,
                    )
                await uow.commit()
            me = conv.participants[principal.person_id]
            return ReadState(me.read_seq, conv.last_seq, hidden_until is not None)
