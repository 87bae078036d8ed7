"""Use case: lift one's own block."""

from __future__ import annotations

import uuid

from edtech.communication.infrastructure import SqlAlchemySafety
from edtech.kernel.clock import Clock
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork


class UnblockPerson:
    """Lift one's own block; lifting a block that does not exist changes nothing."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow = uow
        self.clock = clock

    async def __call__(self, principal: Principal, person_id: uuid.UUID) -> None:
        async with self.uow as uow:
            if await SqlAlchemySafety(uow.session).unblock(principal.person_id, person_id):
                await uow.commit()
