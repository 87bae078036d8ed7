"""Use case: the attendance office approves or rejects an absence note."""

from __future__ import annotations

import uuid

from edtech.attendance.application.common import code_book, is_attendance_staff, retrying
from edtech.attendance.domain import Category, Excuse, MarkChange
from edtech.attendance.infrastructure.records import SqlAlchemyExcuses
from edtech.attendance.infrastructure.repositories import SqlAlchemyHistory, SqlAlchemyMarks
from edtech.kernel.clock import Clock
from edtech.kernel.errors import ForbiddenError, NotFoundError
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork


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
