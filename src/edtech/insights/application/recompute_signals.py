"""Use case: recompute students' signals from their attendance."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from edtech.attendance.public import student_record, students_of_sessions
from edtech.insights.domain import Attended, Indicator, absence_finding
from edtech.insights.infrastructure.repositories import SqlAlchemySignals
from edtech.kernel.clock import Clock
from edtech.platform.db.uow import UnitOfWork


class RecomputeSignals:
    """A student's absence signal is their ended sessions missed without excuse ÷ counted; at
    10 % or more it is an alert, below it none. Recomputed for the students of each closed
    session and each changed mark or decided note, in one transaction; a change of level is
    pushed to the school's counsellors."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    async def __call__(
        self,
        institution_id: uuid.UUID,
        students: Iterable[uuid.UUID],
        sessions: Iterable[uuid.UUID] = (),
    ) -> int:
        changed = 0
        async with self.uow as uow:
            who = set(students) | await students_of_sessions(
                uow.session, institution_id, list(sessions)
            )
            signals = SqlAlchemySignals(uow.session)
            now = self.clock.now()
            for student_id in sorted(who):
                record = await student_record(uow.session, institution_id, student_id)
                finding = absence_finding(
                    [Attended(r.session_id, r.school_id, r.day, r.category) for r in record]
                )
                # Created if missing and locked: a concurrent recompute of the same student
                # waits for this one instead of failing on the unique key (students are taken
                # in id order, so two jobs never lock each other's rows crosswise).
                signal = await signals.claim(institution_id, student_id, Indicator.ABSENCE, now)
                changed += signal.update(finding, now)
            await uow.commit()
        return changed
