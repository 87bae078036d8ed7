"""Use cases for absence notes: a guardian submits one, the attendance office decides it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from edtech.attendance.application.common import (
    code_book,
    is_attendance_staff,
    retrying,
)
from edtech.attendance.application.sessions import RosterFactory
from edtech.attendance.domain import Category, Excuse, MarkChange
from edtech.attendance.infrastructure.records import SqlAlchemyExcuses
from edtech.attendance.infrastructure.repositories import SqlAlchemyHistory, SqlAlchemyMarks
from edtech.kernel.clock import Clock
from edtech.kernel.errors import ForbiddenError, NotFoundError
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
            roster = self.roster(uow.session, now.date())
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


class DecideExcuse:
    """The attendance officer approves or rejects a note, once, with an optional note.

    Approval turns every unexcused absence of the student on the covered days into an excused
    absence (the history keeps the change); absences marked later are excused when their
    session closes.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    async def __call__(
        self, principal: Principal, excuse_id: uuid.UUID, *, approve: bool, note: str | None
    ) -> Excuse:
        async def attempt() -> Excuse:
            now = self.clock.now()
            async with self.uow as uow:
                db = uow.session
                excuse = await SqlAlchemyExcuses(db).get(principal.institution_id, excuse_id)
                if excuse is None:
                    raise NotFoundError("Absence note not found.")
                if not is_attendance_staff(principal, None):
                    raise ForbiddenError("Only the attendance office decides absence notes.")
                changes: list[MarkChange] = []
                marks = []
                if approve:
                    excused = (await code_book(db, excuse.institution_id)).system(
                        Category.EXCUSED_ABSENCE
                    )
                    marks = [
                        mark
                        for mark, _ in await SqlAlchemyMarks(db).absences_between(
                            excuse.institution_id,
                            excuse.student_id,
                            excuse.starts_on,
                            excuse.ends_on,
                        )
                    ]
                    for mark in marks:
                        change = mark.excuse(
                            excused,
                            now=now,
                            actor_id=principal.person_id,
                            reason=f"absence note {excuse.id} approved",
                        )
                        if change is not None:
                            changes.append(change)
                excuse.decide(
                    approve=approve,
                    by=principal.person_id,
                    note=note,
                    now=now,
                    excused_marks=len(changes),
                )
                await SqlAlchemyHistory(db).append(changes)
                await uow.commit()
            return excuse

        return await retrying(attempt)
