"""Repositories: the few ways the use cases load and save attendance aggregates and records."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.attendance.domain import (
    AttendanceCode,
    AttendanceSession,
    CodeBook,
    Mark,
    MarkChange,
    SessionState,
    default_codes,
)
from edtech.attendance.infrastructure.sql import CHUNK, dialect_insert, is_postgres, unnest_insert
from edtech.attendance.infrastructure.tables import (
    attendance_code,
    attendance_mark,
    attendance_mark_change,
    attendance_session,
)
from edtech.kernel.ids import new_id


class SqlAlchemyCodes:
    """An institution's code book; the defaults are written the first time it is needed."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def all(self, institution_id: uuid.UUID) -> list[AttendanceCode]:
        stmt = sa.select(AttendanceCode).where(attendance_code.c.institution_id == institution_id)
        return list((await self.session.scalars(stmt)).all())

    async def book(self, institution_id: uuid.UUID) -> CodeBook:
        codes = await self.all(institution_id)
        if not codes:
            await self.seed(institution_id)
            codes = await self.all(institution_id)
        return CodeBook(codes)

    async def seed(self, institution_id: uuid.UUID) -> None:
        """Write the default codes unless another transaction did first (idempotent)."""
        rows = [
            {
                "id": c.id,
                "institution_id": c.institution_id,
                "code": c.code,
                "name": c.name,
                "category": c.category.value,
                "present_percent": c.present_percent,
                "is_system": c.is_system,
                "is_active": c.is_active,
            }
            for c in default_codes(institution_id)
        ]
        stmt = dialect_insert(self.session)(attendance_code).values(rows).on_conflict_do_nothing()
        await self.session.execute(stmt)

    def add(self, code: AttendanceCode) -> None:
        self.session.add(code)


class SqlAlchemySessions:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, att_session: AttendanceSession) -> None:
        self.session.add(att_session)

    async def get(
        self, institution_id: uuid.UUID, session_id: uuid.UUID, *, lock: bool = False
    ) -> AttendanceSession | None:
        stmt = sa.select(AttendanceSession).where(
            attendance_session.c.institution_id == institution_id,
            attendance_session.c.id == session_id,
        )
        if lock:
            stmt = stmt.with_for_update()
        return (await self.session.scalars(stmt)).one_or_none()

    async def existing_starts(
        self, institution_id: uuid.UUID, section_ids: Sequence[uuid.UUID], day: date
    ) -> set[tuple[uuid.UUID, datetime]]:
        t = attendance_session
        stmt = sa.select(t.c.section_id, t.c.starts_at).where(
            t.c.institution_id == institution_id, t.c.day == day, t.c.section_id.in_(section_ids)
        )
        return {(r.section_id, r.starts_at) for r in await self.session.execute(stmt)}

    async def not_ended_on(
        self, institution_id: uuid.UUID, day: date, school_id: uuid.UUID | None
    ) -> list[AttendanceSession]:
        """The day's scheduled or open sessions (of one school, or every school), locked."""
        t = attendance_session
        stmt = (
            sa.select(AttendanceSession)
            .where(
                t.c.institution_id == institution_id,
                t.c.day == day,
                t.c.state.in_([SessionState.SCHEDULED.value, SessionState.OPEN.value]),
            )
            .order_by(t.c.starts_at, t.c.id)
            .with_for_update()
        )
        if school_id is not None:
            stmt = stmt.where(t.c.school_id == school_id)
        return list((await self.session.scalars(stmt)).all())

    async def due_to_close(
        self, now: datetime, limit: int = 50
    ) -> list[tuple[uuid.UUID, uuid.UUID]]:
        """(institution_id, session_id) of sessions whose close time has passed, oldest first."""
        t = attendance_session
        stmt = (
            sa.select(t.c.institution_id, t.c.id)
            .where(
                t.c.state.in_([SessionState.SCHEDULED.value, SessionState.OPEN.value]),
                t.c.closes_at <= now,
            )
            .order_by(t.c.closes_at, t.c.id)
            .limit(limit)
        )
        return [(r.institution_id, r.id) for r in await self.session.execute(stmt)]


class SqlAlchemyMarks:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_unmarked(
        self, att_session: AttendanceSession, student_ids: Sequence[uuid.UUID]
    ) -> None:
        """One unmarked mark per student: the session's roster, fixed when it is planned."""
        rows = [
            {
                "id": new_id(),
                "institution_id": att_session.institution_id,
                "session_id": att_session.id,
                "student_id": sid,
                "version": 0,
            }
            for sid in student_ids
        ]
        for start in range(0, len(rows), CHUNK):
            await self.session.execute(sa.insert(attendance_mark), rows[start : start + CHUNK])

    async def of_session(self, session_id: uuid.UUID) -> list[Mark]:
        stmt = sa.select(Mark).where(attendance_mark.c.session_id == session_id)
        return list((await self.session.scalars(stmt)).all())

    async def get(self, session_id: uuid.UUID, student_id: uuid.UUID) -> Mark | None:
        stmt = sa.select(Mark).where(
            attendance_mark.c.session_id == session_id, attendance_mark.c.student_id == student_id
        )
        return (await self.session.scalars(stmt)).one_or_none()

    async def absences_between(
        self, institution_id: uuid.UUID, student_id: uuid.UUID, first: date, last: date
    ) -> list[tuple[Mark, AttendanceSession]]:
        m, s = attendance_mark, attendance_session
        stmt = (
            sa.select(Mark, AttendanceSession)
            .join(s, s.c.id == m.c.session_id)
            .where(
                m.c.institution_id == institution_id,
                m.c.student_id == student_id,
                s.c.day >= first,
                s.c.day <= last,
            )
            .order_by(s.c.starts_at)
        )
        return [(r[0], r[1]) for r in (await self.session.execute(stmt)).all()]


_HISTORY_COLUMNS: dict[str, sa.types.TypeEngine[Any]] = {
    "id": sa.Uuid(),
    "institution_id": sa.Uuid(),
    "mark_id": sa.Uuid(),
    "session_id": sa.Uuid(),
    "student_id": sa.Uuid(),
    "at": sa.DateTime(timezone=True),
    "actor_id": sa.Uuid(),
    "source": sa.String(),
    "before": sa.Text(),
    "after": sa.Text(),
    "reason": sa.Text(),
}
_HISTORY_INSERT = unnest_insert(
    attendance_mark_change, _HISTORY_COLUMNS, {"before": pg.JSON(), "after": pg.JSON()}
)


class SqlAlchemyHistory:
    """The append-only history of marks."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def append(self, changes: Sequence[MarkChange]) -> None:
        if not changes:
            return
        if is_postgres(self.session):
            for start in range(0, len(changes), CHUNK * 2):
                chunk = changes[start : start + CHUNK * 2]
                params = {
                    "id": [new_id() for _ in chunk],
                    "institution_id": [c.institution_id for c in chunk],
                    "mark_id": [c.mark_id for c in chunk],
                    "session_id": [c.session_id for c in chunk],
                    "student_id": [c.student_id for c in chunk],
                    "at": [c.at for c in chunk],
                    "actor_id": [c.actor_id for c in chunk],
                    "source": [c.source.value for c in chunk],
                    "before": [json.dumps(c.before) for c in chunk],
                    "after": [json.dumps(c.after) for c in chunk],
                    "reason": [c.reason for c in chunk],
                }
                await self.session.execute(_HISTORY_INSERT, params)
            return
        rows = [
            {
                "id": new_id(),
                "institution_id": c.institution_id,
                "mark_id": c.mark_id,
                "session_id": c.session_id,
                "student_id": c.student_id,
                "at": c.at,
                "actor_id": c.actor_id,
                "source": c.source.value,
                "before": c.before,
                "after": c.after,
                "reason": c.reason,
            }
            for c in changes
        ]
        for start in range(0, len(rows), CHUNK):
            await self.session.execute(
                sa.insert(attendance_mark_change), rows[start : start + CHUNK]
            )
