"""Use case: plan the sessions of a day or range from the sections' meeting patterns."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, timedelta

from edtech.attendance.application.common import is_attendance_staff, retrying
from edtech.attendance.application.ports import RosterFactory
from edtech.attendance.domain import SessionKind, plan_session
from edtech.attendance.infrastructure.repositories import SqlAlchemyMarks, SqlAlchemySessions
from edtech.kernel.clock import Clock
from edtech.kernel.errors import FieldProblem, ForbiddenError, InvalidError
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork

MAX_PLAN_DAYS = 31


class PlanSessions:
    """Create the sessions of a day (or range) from the sections' weekly meeting patterns.

    One session per meeting; each gets an unmarked mark per student enrolled that day. Planning
    twice is harmless: meetings that already have a session are skipped. Admins and attendance
    officers plan for the institution; `principal=None` is the system (demo, scheduler).
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, roster: RosterFactory) -> None:
        self.uow, self.clock, self.roster = uow, clock, roster

    async def __call__(
        self,
        principal: Principal | None,
        institution_id: uuid.UUID,
        first: date,
        last: date | None = None,
        section_ids: Sequence[uuid.UUID] | None = None,
    ) -> list[uuid.UUID]:
        last = last or first
        if last < first or (last - first).days >= MAX_PLAN_DAYS:
            raise InvalidError(
                "Invalid range.", [FieldProblem(("last",), f"1 to {MAX_PLAN_DAYS} days from first")]
            )
        if principal is not None and not is_attendance_staff(principal, None):
            raise ForbiddenError("Only administrators and attendance officers plan sessions.")
        return await retrying(lambda: self._plan(institution_id, first, last, section_ids))

    async def _plan(
        self,
        institution_id: uuid.UUID,
        first: date,
        last: date,
        section_ids: Sequence[uuid.UUID] | None,
    ) -> list[uuid.UUID]:
        created: list[uuid.UUID] = []
        async with self.uow as uow:
            sessions, marks = SqlAlchemySessions(uow.session), SqlAlchemyMarks(uow.session)
            roster = self.roster(uow.session)
            day = first
            while day <= last:
                # Each day's sessions get the students enrolled that day.
                on_day = roster.as_of(day)
                meetings = await on_day.meetings_on(institution_id, day, section_ids)
                have = await sessions.existing_starts(
                    institution_id, list({m.section_id for m in meetings}), day
                )
                for meeting in meetings:
                    if (meeting.section_id, meeting.starts_at) in have:
                        continue
                    att = plan_session(
                        session_id=new_id(),
                        institution_id=institution_id,
                        school_id=meeting.school_id,
                        section_id=meeting.section_id,
                        day=meeting.day,
                        starts_at=meeting.starts_at,
                        ends_at=meeting.ends_at,
                        kind=SessionKind.DAILY if meeting.homeroom else SessionKind.PERIOD,
                    )
                    sessions.add(att)
                    await uow.session.flush()
                    students = await on_day.students_of_section(institution_id, meeting.section_id)
                    await marks.add_unmarked(att, students)
                    created.append(att.id)
                day += timedelta(days=1)
            await uow.commit()
        return created
