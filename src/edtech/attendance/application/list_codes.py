"""Use case: read the institution's code book (written with the defaults on first read)."""

from __future__ import annotations

from edtech.attendance.application.common import code_book
from edtech.attendance.domain import AttendanceCode
from edtech.kernel.clock import Clock
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork


class ListCodes:
    """The institution's code book; the default codes are written the first time it is read."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    async def __call__(self, principal: Principal) -> list[AttendanceCode]:
        async with self.uow as uow:
            book = await code_book(uow.session, principal.institution_id)
            await uow.commit()
        return book.all()
