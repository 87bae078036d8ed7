"""Who may follow a conversation live: its participants, as long as the policy still lets them
write in it (the same rule as `send`)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from edtech.communication.application.ports import Directory
from edtech.communication.application.post_message import check_may_send
from edtech.communication.infrastructure import SqlAlchemyConversations
from edtech.kernel.errors import ForbiddenError
from edtech.kernel.principal import Principal


async def may_follow(
    session: AsyncSession, directory: Directory, principal: Principal, conversation_id: uuid.UUID
) -> bool:
    conv = await SqlAlchemyConversations(session).get(principal.institution_id, conversation_id)
    if conv is None or not conv.is_participant(principal.person_id):
        return False
    try:
        await check_may_send(session, directory, principal, conv)
    except ForbiddenError:
        return False
    return True
