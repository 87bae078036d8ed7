"""Read models: the session list, the live board snapshot, a mark's history, excuses."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.attendance.domain import Category
from edtech.attendance.infrastructure.tables import (
    attendance_code,
    attendance_excuse,
    attendance_mark,
    attendance_mark_change,
    attendance_session,
)


def sessions_query(
    institution_id: uuid.UUID,
    *,
    section_id: uuid.UUID | None,
    day: date | None,
    sections: sa.Select[Any] | None,
) -> sa.Select[Any]:
    """Sessions of the institution, narrowed by section, day and (for teachers) their sections."""
    s = attendance_session
    stmt = sa.select(s).where(s.c.institution_id == institution_id)
    if section_id is not None:
        stmt = stmt.where(s.c.section_id == section_id)
    if day is not None:
        stmt = stmt.where(s.c.day == day)
    if sections is not None:
        stmt = stmt.where(s.c.section_id.in_(sections))
    return stmt.order_by(s.c.starts_at, s.c.section_id, s.c.id)


async def session_row(
    session: AsyncSession, institution_id: uuid.UUID, session_id: uuid.UUID
) -> Any:
    """One attendance session of the institution, as `sessions_query` lists it (None if none)."""
    stmt = sessions_query(institution_id, section_id=None, day=None, sections=None)
    return (await session.execute(stmt.where(attendance_session.c.id == session_id))).first()


def _channel_position(channel: str) -> tuple[sa.ScalarSelect[Any], sa.ScalarSelect[Any]]:
    """The board channel's last committed offset and epoch, as subqueries of the board query.

    Read in the same statement as the marks, so the snapshot and the offset come from one
    database snapshot on both dialects: events up to the offset are in the board, later ones
    are not. (Stopgap: the realtime slice should expose this; see the README.)
    """
    state = sa.table(
        "channel_state", sa.column("channel"), sa.column("last_offset"), sa.column("epoch")
    )
    offset = sa.select(state.c.last_offset).where(state.c.channel == channel).scalar_subquery()
    epoch = sa.select(state.c.epoch).where(state.c.channel == channel).scalar_subquery()
    return offset, epoch


@dataclass
class Board:
    session: dict[str, Any]
    marks: list[dict[str, Any]]
    offset: int
    epoch: str | None
    tally: dict[str, int] = field(default_factory=dict)


async def board(
    db: AsyncSession, institution_id: uuid.UUID, session_id: uuid.UUID, channel: str
) -> Board | None:
    """The session, every mark, and the channel position, all from one statement."""
    s, m = attendance_session, attendance_mark
    offset, epoch = _channel_position(channel)
    stmt = (
        sa.select(
            s,
            m.c.student_id,
            m.c.teacher_code,
            m.c.official_code,
            m.c.category,
            m.c.minutes_late,
            m.c.arrived_at,
            m.c.departed_at,
            m.c.source,
            m.c.version.label("mark_version"),
            offset.label("channel_offset"),
            epoch.label("channel_epoch"),
        )
        .outerjoin(m, m.c.session_id == s.c.id)
        .where(s.c.institution_id == institution_id, s.c.id == session_id)
    )
    rows = (await db.execute(stmt)).all()
    if not rows:
        return None
    first = rows[0]._mapping
    session = {c.name: first[c] for c in s.c}
    marks = [
        {
            "student_id": r.student_id,
            "teacher_code": r.teacher_code,
            "official_code": r.official_code,
            "category": r.category,
            "minutes_late": r.minutes_late,
            "arrived_at": r.arrived_at,
            "departed_at": r.departed_at,
            "source": r.source,
            "version": r.mark_version,
        }
        for r in rows
        if r.student_id is not None
    ]
    tally = {c.value: 0 for c in Category} | {"unmarked": 0, "expected": len(marks)}
    for mark in marks:
        key = mark["category"].value if mark["category"] else "unmarked"
        tally[key] += 1
    return Board(
        session=session,
        marks=marks,
        offset=int(first.channel_offset or 0),
        epoch=first.channel_epoch,
        tally=tally,
    )


async def mark_history(
    db: AsyncSession, institution_id: uuid.UUID, session_id: uuid.UUID, student_id: uuid.UUID
) -> list[sa.Row[Any]]:
    h = attendance_mark_change
    stmt = (
        sa.select(h)
        .where(
            h.c.institution_id == institution_id,
            h.c.session_id == session_id,
            h.c.student_id == student_id,
        )
        .order_by(h.c.at, h.c.id)
    )
    return list((await db.execute(stmt)).all())


def excuses_query(
    institution_id: uuid.UUID,
    *,
    state: str | None,
    student_id: uuid.UUID | None,
    submitted_by: uuid.UUID | None,
) -> sa.Select[Any]:
    e = attendance_excuse
    stmt = sa.select(e).where(e.c.institution_id == institution_id)
    if state is not None:
        stmt = stmt.where(e.c.state == state)
    if student_id is not None:
        stmt = stmt.where(e.c.student_id == student_id)
    if submitted_by is not None:
        stmt = stmt.where(e.c.submitted_by == submitted_by)
    return stmt.order_by(e.c.submitted_at.desc(), e.c.id.desc())


async def report_rows(
    db: AsyncSession,
    institution_id: uuid.UUID,
    first: date,
    last: date,
    *,
    student_id: uuid.UUID | None = None,
    section_id: uuid.UUID | None = None,
    school_id: uuid.UUID | None = None,
) -> list[Any]:
    """Marks with their session and code, for reports, in time order."""
    s, m, c = attendance_session, attendance_mark, attendance_code
    stmt = (
        sa.select(
            s.c.id.label("session_id"),
            s.c.section_id,
            s.c.school_id,
            s.c.day,
            s.c.starts_at,
            s.c.ends_at,
            s.c.state,
            m.c.student_id,
            m.c.official_code,
            m.c.category,
            m.c.minutes_late,
            c.c.present_percent,
        )
        .join(m, m.c.session_id == s.c.id)
        .outerjoin(
            c, sa.and_(c.c.institution_id == m.c.institution_id, c.c.code == m.c.official_code)
        )
        .where(s.c.institution_id == institution_id, s.c.day >= first, s.c.day <= last)
        .order_by(s.c.starts_at, s.c.section_id, m.c.student_id)
    )
    if student_id is not None:
        stmt = stmt.where(m.c.student_id == student_id)
    if section_id is not None:
        stmt = stmt.where(s.c.section_id == section_id)
    if school_id is not None:
        stmt = stmt.where(s.c.school_id == school_id)
    return list((await db.execute(stmt)).all())


@dataclass(frozen=True)
class SessionRecord:
    """One ended session of a student: where and when, and how it counted for them."""

    session_id: uuid.UUID
    section_id: uuid.UUID
    school_id: uuid.UUID
    day: date
    category: str | None


async def student_record(
    session: AsyncSession, institution_id: uuid.UUID, student_id: uuid.UUID
) -> list[SessionRecord]:
    """The student's marks in closed or locked sessions (cancelled ones never count), by day."""
    s, m = attendance_session, attendance_mark
    stmt = (
        sa.select(s.c.id, s.c.section_id, s.c.school_id, s.c.day, m.c.category)
        .join(m, m.c.session_id == s.c.id)
        .where(
            s.c.institution_id == institution_id,
            m.c.student_id == student_id,
            s.c.state.in_(["closed", "locked"]),
        )
        .order_by(s.c.day, s.c.starts_at)
    )
    return [
        SessionRecord(r.id, r.section_id, r.school_id, r.day, _category(r.category))
        for r in await session.execute(stmt)
    ]


@dataclass(frozen=True)
class AbsenceSummary:
    """A student's ended sessions summed up: how many, how many in the `missed` categories
    (each with its day, in order), the first and last day, the school of the last one, and the
    last day on which a session was not missed (None: every one was)."""

    counted: int
    first_day: date
    last_day: date
    school_id: uuid.UUID
    last_attended_day: date | None
    missed: tuple[tuple[uuid.UUID, date], ...]


async def absence_summaries(
    session: AsyncSession,
    institution_id: uuid.UUID,
    student_ids: list[uuid.UUID],
    missed: tuple[str, ...],
) -> dict[uuid.UUID, AbsenceSummary]:
    """`AbsenceSummary` of each of these students with an ended session (closed or locked;
    cancelled ones never count), set-based and in one statement (one round trip, whatever the
    number of students): one aggregate row per (student, school) and one row per missed
    session — not every mark — joined by `UNION ALL` over the marks read once (a full
    recompute reads a batch of students; one student's recompute after a mark change is one
    read)."""
    if not student_ids:
        return {}
    s, m = attendance_session, attendance_mark
    # The students' ended marks, read once (a CTE named twice is materialised) and summed up
    # twice: per (student, school), and the missed ones row by row.
    ended = (
        sa.select(
            m.c.student_id,
            s.c.id,
            s.c.school_id,
            s.c.day,
            s.c.starts_at,
            m.c.category.in_(missed).label("is_missed"),
        )
        .join(m, m.c.session_id == s.c.id)
        .where(
            s.c.institution_id == institution_id,
            m.c.student_id.in_(student_ids),
            s.c.state.in_(["closed", "locked"]),
        )
        .cte("ended")
    )
    e = ended.c
    totals = sa.select(
        sa.literal(0).label("part"),
        e.student_id,
        e.school_id.label("ref"),
        sa.func.count().label("counted"),
        sa.func.min(e.day).label("first_day"),
        sa.func.max(e.day).label("last_day"),
        sa.func.max(
            sa.type_coerce(sa.case((e.is_missed, sa.null()), else_=e.day), sa.Date())
        ).label("attended"),
        sa.func.min(e.starts_at).label("starts_at"),
    ).group_by(e.student_id, e.school_id)
    misses = sa.select(
        sa.literal(1).label("part"),
        e.student_id,
        e.id.label("ref"),
        sa.literal(0).label("counted"),
        e.day.label("first_day"),
        e.day.label("last_day"),
        e.day.label("attended"),
        e.starts_at,
    ).where(e.is_missed)
    both = sa.union_all(totals, misses).subquery()
    stmt = sa.select(both).order_by(
        both.c.part, both.c.student_id, both.c.first_day, both.c.starts_at
    )
    parts: dict[uuid.UUID, list[Any]] = {}
    missed_of: dict[uuid.UUID, list[tuple[uuid.UUID, date]]] = {}
    for r in await session.execute(stmt):
        if r.part == 0:
            parts.setdefault(r.student_id, []).append(r)
        else:
            missed_of.setdefault(r.student_id, []).append((r.ref, r.first_day))
    found = {}
    for student_id, rows in parts.items():
        attended = [r.attended for r in rows if r.attended is not None]
        found[student_id] = AbsenceSummary(
            counted=sum(r.counted for r in rows),
            first_day=min(r.first_day for r in rows),
            last_day=max(r.last_day for r in rows),
            school_id=max(rows, key=lambda r: (r.last_day, str(r.ref))).ref,
            last_attended_day=max(attended) if attended else None,
            missed=tuple(missed_of.get(student_id, ())),
        )
    return found


def _category(value: Any) -> str | None:
    return None if value is None else str(getattr(value, "value", value))


async def students_of_sessions(
    session: AsyncSession, institution_id: uuid.UUID, session_ids: list[uuid.UUID]
) -> set[uuid.UUID]:
    """Every student with a mark in one of these sessions."""
    if not session_ids:
        return set()
    m = attendance_mark
    stmt = sa.select(m.c.student_id).where(
        m.c.institution_id == institution_id, m.c.session_id.in_(session_ids)
    )
    return set((await session.scalars(stmt)).all())
