"""Use cases for sessions: plan them from meeting patterns or on demand, open, close, lock."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession

from edtech.attendance.application.common import (
    code_book,
    editor_for,
    is_attendance_staff,
    load_session,
    retrying,
)
from edtech.attendance.application.ports import Roster
from edtech.attendance.domain import (
    AbsenceReported,
    AttendanceSession,
    Category,
    MarkChange,
    SessionKind,
    plan_session,
)
from edtech.attendance.infrastructure.records import SqlAlchemyExcuses
from edtech.attendance.infrastructure.repositories import (
    SqlAlchemyHistory,
    SqlAlchemyMarks,
    SqlAlchemySessions,
)
from edtech.kernel.clock import Clock
from edtech.kernel.errors import FieldProblem, ForbiddenError, InvalidError, NotFoundError
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork

RosterFactory = Callable[[AsyncSession, date], Roster]
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
            day = first
            while day <= last:
                roster = self.roster(uow.session, day)
                meetings = await roster.meetings_on(institution_id, day, section_ids)
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
                    students = await roster.students_of_section(institution_id, meeting.section_id)
                    await marks.add_unmarked(att, students)
                    created.append(att.id)
                day += timedelta(days=1)
            await uow.commit()
        return created


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
            today = self.clock.now().date()
            roster = self.roster(uow.session, today)
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
            await uow.session.flush()
            students = await roster.students_of_section(principal.institution_id, cmd.section_id)
            await SqlAlchemyMarks(uow.session).add_unmarked(att, students)
            await uow.commit()
        return att


async def close_in(
    uow: UnitOfWork, att: AttendanceSession, roster: Roster, now: datetime, *, automatic: bool
) -> int:
    """Close `att` inside an open unit of work: unmarked → absent (or excused when an approved
    note covers the day), then tell the guardians and the student of each absence or tardy."""
    db = uow.session
    book = await code_book(db, att.institution_id)
    marks = await SqlAlchemyMarks(db).of_session(att.id)
    unmarked = [m.student_id for m in marks if not m.is_marked]
    excused = (
        await SqlAlchemyExcuses(db).approved_covering(att.institution_id, unmarked, att.day)
        if unmarked
        else set()
    )
    changes: list[MarkChange] = []
    absent = 0
    for mark in marks:
        change = mark.close_unmarked(book.system(Category.ABSENT), now=now)
        if change is None:
            continue
        absent += 1
        changes.append(change)
        if mark.student_id in excused:
            again = mark.excuse(
                book.system(Category.EXCUSED_ABSENCE),
                now=now,
                actor_id=None,
                reason="approved note",
            )
            if again is not None:
                changes.append(again)
    att.close(now, automatic=automatic, marked_absent=absent)
    await SqlAlchemyHistory(db).append(changes)
    for mark in marks:
        if mark.category not in (Category.ABSENT, Category.TARDY):
            continue
        guardians = await roster.guardians_to_notify(att.institution_id, mark.student_id)
        uow.emit(
            AbsenceReported(
                institution_id=att.institution_id,
                occurred_at=now,
                session_id=att.id,
                section_id=att.section_id,
                student_id=mark.student_id,
                day=att.day,
                category=mark.category.value,
                code=mark.official_code or "",
                minutes_late=mark.minutes_late,
                recipients=(*guardians, mark.student_id),
            )
        )
    return absent


class CloseSession:
    """Close a session by hand (the teacher or the office); the rest is as at close time."""

    def __init__(self, uow: UnitOfWork, clock: Clock, roster: RosterFactory) -> None:
        self.uow, self.clock, self.roster = uow, clock, roster

    async def __call__(self, principal: Principal, session_id: uuid.UUID) -> AttendanceSession:
        async def attempt() -> AttendanceSession:
            async with self.uow as uow:
                now = self.clock.now()
                roster = self.roster(uow.session, now.date())
                att = await load_session(uow.session, principal.institution_id, session_id)
                await editor_for(principal, att, roster)
                await close_in(uow, att, roster, now, automatic=False)
                await uow.commit()
            return att

        return await retrying(attempt)


class LockSession:
    """Lock a closed session: only the attendance office may change its marks afterwards."""

    def __init__(self, uow: UnitOfWork, clock: Clock, roster: RosterFactory) -> None:
        self.uow, self.clock, self.roster = uow, clock, roster

    async def __call__(self, principal: Principal, session_id: uuid.UUID) -> AttendanceSession:
        async with self.uow as uow:
            now = self.clock.now()
            att = await load_session(uow.session, principal.institution_id, session_id)
            await editor_for(principal, att, self.roster(uow.session, now.date()))
            att.lock(now)
            await uow.commit()
        return att


class OpenSession:
    """Open a scheduled session early (the teacher starts taking attendance)."""

    def __init__(self, uow: UnitOfWork, clock: Clock, roster: RosterFactory) -> None:
        self.uow, self.clock, self.roster = uow, clock, roster

    async def __call__(self, principal: Principal, session_id: uuid.UUID) -> AttendanceSession:
        async with self.uow as uow:
            now = self.clock.now()
            att = await load_session(uow.session, principal.institution_id, session_id)
            await editor_for(principal, att, self.roster(uow.session, now.date()))
            att.open(now)
            await uow.commit()
        return att


class CloseDueSessions:
    """The close-time sweep: every session whose close time has passed is closed, automatically.

    Each session closes in its own transaction; on PostgreSQL two nodes sweeping at once lock
    the session row, and the loser finds it closed and skips it.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, roster: RosterFactory) -> None:
        self.uow, self.clock, self.roster = uow, clock, roster

    async def __call__(self, limit: int = 50) -> int:
        now = self.clock.now()
        async with self.uow as uow:
            due = await SqlAlchemySessions(uow.session).due_to_close(now, limit)
        closed = 0
        for institution_id, session_id in due:
            closed += await retrying(partial(self._close, institution_id, session_id))
        return closed

    async def _close(self, institution_id: uuid.UUID, session_id: uuid.UUID) -> int:
        async with self.uow as uow:
            now = self.clock.now()
            att = await SqlAlchemySessions(uow.session).get(institution_id, session_id, lock=True)
            if att is None or not att.due_to_close(now):
                return 0
            await close_in(uow, att, self.roster(uow.session, now.date()), now, automatic=True)
            await uow.commit()
        return 1
