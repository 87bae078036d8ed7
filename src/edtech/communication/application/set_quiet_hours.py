"""Use case: staff set or clear their own quiet hours."""

from __future__ import annotations

from edtech.communication.domain import QuietHours
from edtech.communication.infrastructure import SqlAlchemySafety
from edtech.kernel.clock import Clock
from edtech.kernel.errors import ForbiddenError
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork


class SetQuietHours:
    """Staff set (or clear, with None) their own quiet hours, in the institution's time zone."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow = uow
        self.clock = clock

    async def __call__(self, principal: Principal, hours: QuietHours | None) -> None:
        if not principal.is_staff:
            raise ForbiddenError("quiet hours are for staff")
        async with self.uow as uow:
            await SqlAlchemySafety(uow.session).set_quiet_hours(
                principal.institution_id, principal.person_id, hours, self.clock.now()
            )
            await uow.commit()
