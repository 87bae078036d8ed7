"""Use case: an institution chooses which notification categories are mandatory."""

from __future__ import annotations

from edtech.kernel.clock import Clock
from edtech.kernel.errors import ForbiddenError
from edtech.kernel.principal import Principal
from edtech.notifications.domain import Category
from edtech.notifications.infrastructure.repository import SqlNotifications
from edtech.platform.db.uow import UnitOfWork


class SetNotificationPolicy:
    """The institution's administrators choose the mandatory categories: nobody of the
    institution can switch push or email off for them (SMS stays opt-in), and what a person
    had switched off before is sent again from the next notification on. The default is
    absence alerts and urgent announcements."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    async def __call__(
        self, principal: Principal, mandatory: frozenset[Category]
    ) -> frozenset[Category]:
        require_institution_admin(principal)
        async with self.uow as uow:
            await SqlNotifications(uow.session).save_mandatory(
                principal.institution_id, mandatory, principal.person_id, self.clock.now()
            )
            await uow.commit()
        return mandatory


def require_institution_admin(principal: Principal) -> None:
    if not principal.is_institution_admin:
        raise ForbiddenError("only the institution's administrators choose this")
