"""Use case: add an attendance code of the institution's own."""

from __future__ import annotations

from dataclasses import dataclass

from edtech.attendance.application.common import code_book, require_admin
from edtech.attendance.domain import AttendanceCode, Category
from edtech.attendance.infrastructure.repositories import SqlAlchemyCodes
from edtech.kernel.clock import Clock
from edtech.kernel.errors import ConflictError
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork


@dataclass(frozen=True)
class CodeCommand:
    code: str
    name: str
    category: Category
    present_percent: int


class CreateCode:
    """Add a code of the institution's own (say `L`, late bus → tardy); codes are unique."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    async def __call__(self, principal: Principal, cmd: CodeCommand) -> AttendanceCode:
        require_admin(principal)
        async with self.uow as uow:
            book = await code_book(uow.session, principal.institution_id)
            if cmd.code in book:
                raise ConflictError("This code exists already.", field="code")
            code = AttendanceCode(
                id=new_id(),
                institution_id=principal.institution_id,
                code=cmd.code,
                name=cmd.name,
                category=cmd.category,
                present_percent=cmd.present_percent,
            )
            SqlAlchemyCodes(uow.session).add(code)
            await uow.commit()
        return code
