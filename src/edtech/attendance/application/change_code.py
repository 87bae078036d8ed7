"""Use case: rename, re-weight, re-categorise or (de)activate an attendance code."""

from __future__ import annotations

from typing import Any

from edtech.attendance.application.common import code_book, require_admin
from edtech.attendance.domain import AttendanceCode
from edtech.kernel.clock import Clock
from edtech.kernel.errors import NotFoundError
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork


class ChangeCode:
    """Rename, re-weight, re-categorise or (de)activate a code; system codes keep their category."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    async def __call__(
        self, principal: Principal, code: str, changes: dict[str, Any]
    ) -> AttendanceCode:
        require_admin(principal)
        async with self.uow as uow:
            found = (await code_book(uow.session, principal.institution_id)).get(code)
            if found is None:
                raise NotFoundError("Code not found.")
            found.change(**changes)
            await uow.commit()
        return found
