"""Use case: block someone from starting conversations with you or writing to you."""

from __future__ import annotations

import uuid

from edtech.communication.application.common import own_profile
from edtech.communication.application.ports import DirectoryPort
from edtech.communication.domain import may_block
from edtech.communication.infrastructure import SqlAlchemySafety
from edtech.kernel.clock import Clock
from edtech.kernel.errors import NotFoundError
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork


class BlockPerson:
    """Block someone in your institution (not yourself, not an admin): they can no longer
    start a conversation with you or write to you directly."""

    def __init__(self, uow: UnitOfWork, clock: Clock, directory: DirectoryPort) -> None:
        self.uow = uow
        self.clock = clock
        self.directory = directory

    async def __call__(self, principal: Principal, person_id: uuid.UUID) -> None:
        async with self.uow as uow:
            directory = self.directory(uow.session)
            me = await own_profile(directory, principal)
            other = await directory.profile(principal.institution_id, person_id)
            if other is None:
                raise NotFoundError("person not found", person_id=str(person_id))
            may_block(me, other)
            safety = SqlAlchemySafety(uow.session)
            if await safety.block(
                principal.institution_id, me.person_id, person_id, self.clock.now()
            ):
                await uow.commit()
