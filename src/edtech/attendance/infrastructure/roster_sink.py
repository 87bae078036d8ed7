"""Sessions follow their section's roster: an event sink that, in the transaction of a roster
change, gives a student enrolled after a session was planned an unmarked mark in it, and takes
the unmarked mark away from a student whose enrollment ended.

Only sessions that are still scheduled or open change, and only on or after the enrollment's
first (or the first no-longer-enrolled) day; a session's `day` is its date in the school's time
zone, and so are the roster's dates. A recorded mark is history and stays. Each change is told
to the session's live board (`attendance.roster_changed`)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.attendance.domain import Mark, RosterChanged, SessionState
from edtech.attendance.infrastructure.tables import attendance_mark, attendance_session
from edtech.institutions.public import EnrollmentChanged, EnrollmentEnded, PersonEnrolled
from edtech.institutions.public import students_of_section as enrolled_students
from edtech.kernel.clock import Clock
from edtech.kernel.events import DomainEvent
from edtech.kernel.ids import new_id
from edtech.platform.db.engine import dialect_insert
from edtech.platform.db.uow import Raised

STUDENT = "student"
NOT_CLOSED = (SessionState.SCHEDULED.value, SessionState.OPEN.value)


class FollowEnrollments:
    """Keeps the marks of sessions that have not closed in step with student enrollments.

    The events it raises (`Raised`) are staged by the sinks after it in the node's list (the
    outbox among them), in the same transaction."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    event_types = frozenset({PersonEnrolled.type, EnrollmentEnded.type})

    async def stage(self, session: AsyncSession, events: Sequence[DomainEvent]) -> object:
        # (institution, section, student) → the earliest day a change applies from
        work: dict[tuple[uuid.UUID, uuid.UUID, uuid.UUID], date] = {}
        for event in events:
            if not isinstance(event, EnrollmentChanged) or event.role != STUDENT:
                continue
            if isinstance(event, PersonEnrolled):
                since = event.begins_on
            elif isinstance(event, EnrollmentEnded):
                since = event.ends_on
            else:
                continue
            key = (event.institution_id, event.section_id, event.person_id)
            work[key] = min(since, work.get(key, since))
        raised: list[DomainEvent] = []
        live = await _sections_with_sessions(session, work)
        for (institution_id, section_id, student_id), since in work.items():
            if (institution_id, section_id) not in live:
                continue
            raised += await self._follow(session, institution_id, section_id, student_id, since)
        return Raised(raised) if raised else None

    async def committed(self, staged: object) -> None:
        pass

    async def _follow(
        self,
        session: AsyncSession,
        institution_id: uuid.UUID,
        section_id: uuid.UUID,
        student_id: uuid.UUID,
        since: date,
    ) -> list[DomainEvent]:
        """Make each not-closed session of the section from `since` on agree with the roster
        on the session's day: the student is on its board if and only if enrolled that day
        (or already marked)."""
        s, m = attendance_session, attendance_mark
        rows = (
            await session.execute(
                sa.select(s.c.id, s.c.day)
                .where(
                    s.c.institution_id == institution_id,
                    s.c.section_id == section_id,
                    s.c.state.in_(NOT_CLOSED),
                    s.c.day >= since,
                )
                .order_by(s.c.starts_at, s.c.id)
            )
        ).all()
        if not rows:
            return []
        enrolled_on: dict[date, bool] = {}
        for _, day in rows:
            if day not in enrolled_on:
                students = await enrolled_students(session, institution_id, section_id, day)
                enrolled_on[day] = student_id in students
        now = self.clock.now()
        events: list[DomainEvent] = []
        add = [sid for sid, day in rows if enrolled_on[day]]
        drop = [sid for sid, day in rows if not enrolled_on[day]]
        if add:
            inserted = await session.scalars(
                dialect_insert(session)(m)
                .values(
                    [
                        {
                            "id": new_id(),
                            "institution_id": institution_id,
                            "session_id": sid,
                            "student_id": student_id,
                            "version": 0,
                        }
                        for sid in add
                    ]
                )
                .on_conflict_do_nothing(index_elements=[m.c.session_id, m.c.student_id])
                .returning(m.c.session_id)
            )
            for sid in sorted(set(inserted.all()), key=add.index):
                mark = Mark(
                    id=uuid.UUID(int=0),
                    institution_id=institution_id,
                    session_id=sid,
                    student_id=student_id,
                )
                events.append(_changed(institution_id, now, sid, section_id, student_id, mark))
        if drop:
            removed = await session.scalars(
                sa.delete(m)
                .where(
                    m.c.institution_id == institution_id,
                    m.c.session_id.in_(drop),
                    m.c.student_id == student_id,
                    # unmarked and never changed: a recorded mark is history and stays
                    m.c.official_code.is_(None),
                    m.c.teacher_code.is_(None),
                    m.c.version == 0,
                )
                .returning(m.c.session_id)
            )
            for sid in sorted(set(removed.all()), key=drop.index):
                events.append(_changed(institution_id, now, sid, section_id, student_id, None))
        return events


SECTIONS_PER_QUERY = 1000


async def _sections_with_sessions(
    session: AsyncSession, work: dict[tuple[uuid.UUID, uuid.UUID, uuid.UUID], date]
) -> set[tuple[uuid.UUID, uuid.UUID]]:
    """The (institution, section) pairs of `work` that have a not-closed session on or after
    the earliest day of their changes — the only ones `_follow` can change. A roster import
    enrolls tens of thousands at once, mostly in sections with no session yet: one query per
    thousand sections instead of one per enrollment."""
    earliest: dict[tuple[uuid.UUID, uuid.UUID], date] = {}
    for (institution_id, section_id, _), since in work.items():
        key = (institution_id, section_id)
        earliest[key] = min(since, earliest.get(key, since))
    by_institution: dict[uuid.UUID, list[uuid.UUID]] = {}
    for institution_id, section_id in earliest:
        by_institution.setdefault(institution_id, []).append(section_id)
    s = attendance_session
    live: set[tuple[uuid.UUID, uuid.UUID]] = set()
    for institution_id, sections in by_institution.items():
        for start in range(0, len(sections), SECTIONS_PER_QUERY):
            chunk = sections[start : start + SECTIONS_PER_QUERY]
            since = min(earliest[(institution_id, x)] for x in chunk)
            found = await session.execute(
                sa.select(s.c.section_id, sa.func.max(s.c.day))
                .where(
                    s.c.institution_id == institution_id,
                    s.c.section_id.in_(chunk),
                    s.c.state.in_(NOT_CLOSED),
                    s.c.day >= since,
                )
                .group_by(s.c.section_id)
            )
            for section_id, last_day in found:
                if last_day >= earliest[(institution_id, section_id)]:
                    live.add((institution_id, section_id))
    return live


def _changed(
    institution_id: uuid.UUID,
    at: datetime,
    session_id: uuid.UUID,
    section_id: uuid.UUID,
    student_id: uuid.UUID,
    mark: Mark | None,
) -> RosterChanged:
    return RosterChanged(
        institution_id=institution_id,
        occurred_at=at,
        session_id=session_id,
        section_id=section_id,
        student_id=student_id,
        change="added" if mark is not None else "removed",
        mark=mark.snapshot() if mark is not None else None,
    )
