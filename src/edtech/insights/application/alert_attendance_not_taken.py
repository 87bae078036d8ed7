"""Use case: alert teachers and the office to registers nobody has started."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from edtech.insights.domain.not_taken import AttendanceNotTaken, untaken_sessions
from edtech.insights.infrastructure.not_taken import claim_alert, register_lines
from edtech.insights.infrastructure.thresholds import thresholds_of
from edtech.institutions.public import (
    people_with_roles,
    person_grants,
    school_clock,
    teachers_of_section,
)
from edtech.kernel.clock import Clock
from edtech.kernel.principal import Role
from edtech.platform.db.uow import UnitOfWork


async def _office(
    session: AsyncSession, institution_id: uuid.UUID, school_id: uuid.UUID, on: date
) -> tuple[uuid.UUID, ...]:
    """The attendance officers of the school: those of that school and those of every school."""
    out = []
    for person_id in await people_with_roles(
        session, institution_id, on, [Role.ATTENDANCE_OFFICER]
    ):
        grants = await person_grants(session, institution_id, person_id, on)
        if grants and any(
            g.role == Role.ATTENDANCE_OFFICER and g.school_id in (None, school_id)
            for g in grants.grants
        ):
            out.append(person_id)
    return tuple(out)


class AlertAttendanceNotTaken:
    """A planned session whose period started 10 minutes ago (the institution's
    `not_taken_after_minutes`) with nobody marked — no scan, no teacher's or office's mark —
    and that is neither ended nor cancelled: its teachers and the school's attendance officers
    are told, each in their own inbox, once per session. A session cancelled (a closure) or
    with one mark is never alerted."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    async def __call__(self, institution_id: uuid.UUID) -> int:
        alerted = 0
        async with self.uow as uow:
            db = uow.session
            now = self.clock.now()
            today = (await school_clock(db, self.clock, institution_id)).today()
            # Schools may keep other zones than the institution: a day either side covers them;
            # the start instant is what is judged.
            lines = await register_lines(
                db, institution_id, today - timedelta(days=1), today + timedelta(days=1)
            )
            after = (await thresholds_of(db, institution_id)).not_taken_after_minutes
            for found in untaken_sessions(lines, now, timedelta(minutes=after)):
                if not await claim_alert(db, institution_id, found.session_id, now):
                    continue
                teachers = await teachers_of_section(
                    db, institution_id, found.section_id, found.day
                )
                uow.emit(
                    AttendanceNotTaken(
                        institution_id=institution_id,
                        occurred_at=now,
                        session_id=found.session_id,
                        section_id=found.section_id,
                        school_id=found.school_id,
                        day=found.day,
                        starts_at=found.starts_at,
                        minutes=int((now - found.starts_at) / timedelta(minutes=1)),
                        students=found.students,
                        teachers=tuple(teachers),
                        office=await _office(db, institution_id, found.school_id, found.day),
                    )
                )
                alerted += 1
            await uow.commit()
        return alerted
