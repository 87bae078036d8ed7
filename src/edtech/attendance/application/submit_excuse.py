"""Use case: a guardian (or the office) submits an absence note."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from edtech.attendance.application.common import is_attendance_staff
from edtech.attendance.application.ports import RosterFactory
from edtech.attendance.domain import Excuse
from edtech.attendance.infrastructure.records import SqlAlchemyExcuses
from edtech.kernel.clock import Clock
from edtech.kernel.errors import NotFoundError
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork


@dataclass(frozen=True)
class SubmitExcuseCommand:
    student_id: uuid.UUID
    starts_on: date
    ends_on: date
    reason: str
    attachment_ref: str | None = None


class SubmitExcuse:
    """A guardian allowed to see the child's attendance (or the office) reports an absence,
    before or after the fact, with a reason and optionally a reference to an attachment."""

    def __init__(self, uow: UnitOfWork, clock: Clock, roster: RosterFactory) -> None:
        self.uow, self.clock, self.roster = uow, clock, roster

    async def __call__(self, principal: Principal, cmd: SubmitExcuseCommand) -> Excuse:
        now = self.clock.now()
        async with self.uow as uow:
            roster = self.roster(uow.session)
            names = await roster.names(principal.institution_id, [cmd.student_id])
            if cmd.student_id not in names:
                raise NotFoundError("Student not found.", field="student_id")
            allowed = is_attendance_staff(principal, None) or (
                principal.person_id != cmd.student_id
                and await roster.guardian_allows(principal, cmd.student_id)
            )
            if not allowed:
                raise NotFoundError("Student not found.", field="student_id")
            excuse = Excuse.submit(
                excuse_id=new_id(),
                institution_id=principal.institution_id,
                student_id=cmd.student_id,
                submitted_by=principal.person_id,
                starts_on=cmd.starts_on,
                ends_on=cmd.ends_on,
                reason=cmd.reason,
                attachment_ref=cmd.attachment_ref,
                now=now,
            )
            SqlAlchemyExcuses(uow.session).add(excuse)
            await uow.commit()
        return excuse
