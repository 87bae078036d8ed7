"""Use case: create a session on demand (an extra lesson, a trip)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError

from edtech.attendance.application.common import is_attendance_staff
from edtech.attendance.application.ports import RosterFactory
from edtech.attendance.domain import AttendanceSession, SessionKind, plan_session
from edtech.attendance.infrastructure.repositories import SqlAlchemyMarks, SqlAlchemySessions
from edtech.kernel.clock import Clock
from edtech.kernel.errors import ConflictError, NotFoundError
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork


@dataclass(frozen=True)
class CreateSessionCommand:
    section_id: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    grace_minutes: int = 5
    late_cutoff_minutes: int = 20
    opens_before_minutes: int = 15
    kind: SessionKind = SessionKind.PERIOD


class CreateSession:
    """Create a session on demand (an extra lesson, a trip): section teachers or the office."""

    def __init__(self, uow: UnitOfWork, clock: Clock, roster: RosterFactory) -> None:
        self.uow, self.clock, self.roster = uow, clock, roster

    async def __call__(self, principal: Principal, cmd: CreateSessionCommand) -> AttendanceSession:
        async with self.uow as uow:
            roster = self.roster(uow.session)
            school_id = await roster.school_of_section(principal.institution_id, cmd.section_id)
            if school_id is None:
                raise NotFoundError("Section not found.", field="section_id")
            if not (
                is_attendance_staff(principal, school_id)
                or await roster.teaches_section(principal, cmd.section_id)
            ):
                raise NotFoundError("Section not found.", field="section_id")
            zone = await roster.zone_of_section(principal.institution_id, cmd.section_id)
            att = plan_session(
                session_id=new_id(),
                institution_id=principal.institution_id,
                school_id=school_id,
                section_id=cmd.section_id,
                day=cmd.starts_at.astimezone(zone).date(),
                starts_at=cmd.starts_at,
                ends_at=cmd.ends_at,
                kind=cmd.kind,
                grace_minutes=cmd.grace_minutes,
                late_cutoff_minutes=cmd.late_cutoff_minutes,
                opens_before=timedelta(minutes=cmd.opens_before_minutes),
            )
            SqlAlchemySessions(uow.session).add(att)
            try:
                await uow.session.flush()
            except IntegrityError as exc:  # the section's (section, starts_at) is taken
                raise ConflictError(
                    "The section already has a session starting at that time."
                ) from exc
            students = await roster.students_of_section(principal.institution_id, cmd.section_id)
            await SqlAlchemyMarks(uow.session).add_unmarked(att, students)
            await uow.commit()
        return att
