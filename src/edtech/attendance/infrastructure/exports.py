"""What attendance hands other slices about its records: an absence note's facts (to attach
files to it), and a student's attendance with its history for their record package (Core)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.attendance.infrastructure.tables import (
    attendance_excuse,
    attendance_mark,
    attendance_mark_change,
    attendance_session,
)


@dataclass(frozen=True)
class ExcuseFacts:
    """Who an absence note is about, who wrote it, and whether it is still pending."""

    excuse_id: uuid.UUID
    student_id: uuid.UUID
    submitted_by: uuid.UUID
    state: str


async def excuse_facts(
    session: AsyncSession, institution_id: uuid.UUID, excuse_id: uuid.UUID
) -> ExcuseFacts | None:
    row = (
        await session.execute(
            sa.select(
                attendance_excuse.c.id,
                attendance_excuse.c.student_id,
                attendance_excuse.c.submitted_by,
                attendance_excuse.c.state,
            ).where(
                attendance_excuse.c.institution_id == institution_id,
                attendance_excuse.c.id == excuse_id,
            )
        )
    ).first()
    if row is None:
        return None
    state = row.state.value if hasattr(row.state, "value") else str(row.state)
    return ExcuseFacts(row.id, row.student_id, row.submitted_by, state)


def _rows(result: Any) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in result]


async def student_attendance_record(
    session: AsyncSession, institution_id: uuid.UUID, student_id: uuid.UUID
) -> dict[str, list[dict[str, Any]]]:
    """The student's marks (with the session's day and section), every change to them, and
    their absence notes."""
    marks = _rows(
        await session.execute(
            sa.select(
                attendance_mark,
                attendance_session.c.day,
                attendance_session.c.section_id,
                attendance_session.c.kind.label("session_kind"),
            )
            .join(attendance_session, attendance_session.c.id == attendance_mark.c.session_id)
            .where(
                attendance_mark.c.institution_id == institution_id,
                attendance_mark.c.student_id == student_id,
            )
            .order_by(attendance_session.c.day, attendance_session.c.starts_at)
        )
    )
    history = _rows(
        await session.execute(
            sa.select(attendance_mark_change)
            .where(
                attendance_mark_change.c.institution_id == institution_id,
                attendance_mark_change.c.student_id == student_id,
            )
            .order_by(attendance_mark_change.c.at, attendance_mark_change.c.id)
        )
    )
    excuses = _rows(
        await session.execute(
            sa.select(attendance_excuse)
            .where(
                attendance_excuse.c.institution_id == institution_id,
                attendance_excuse.c.student_id == student_id,
            )
            .order_by(attendance_excuse.c.submitted_at)
        )
    )
    return {"attendance_marks": marks, "attendance_history": history, "absence_notes": excuses}
