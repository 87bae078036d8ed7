"""Use case: institution admins configure the messaging policy."""

from __future__ import annotations

from edtech.communication.domain import PolicySettings
from edtech.communication.infrastructure import SqlAlchemySafety
from edtech.kernel.clock import Clock
from edtech.kernel.errors import ForbiddenError
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork


class SetMessagingSettings:
    """Institution admins choose the configurable parts of the messaging policy."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow = uow
        self.clock = clock

    async def __call__(self, principal: Principal, settings: PolicySettings) -> PolicySettings:
        if not principal.is_institution_admin:
            raise ForbiddenError("only institution admins configure the messaging policy")
        async with self.uow as uow:
            await SqlAlchemySafety(uow.session).save_settings(
                principal.institution_id, settings, self.clock.now()
            )
            await uow.commit()
            return settings
