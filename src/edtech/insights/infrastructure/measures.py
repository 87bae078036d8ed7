"""The marks attendance measures are computed from, read through attendance's public reads."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from edtech.attendance.public import report_rows
from edtech.insights.domain.measures import PeriodMark

ENDED = frozenset({"closed", "locked"})
"""Only ended sessions count: a planned or open one is not decided yet, a cancelled one never
counts."""


def _value(v: Any) -> Any:
    return getattr(v, "value", v)


async def period_marks(
    db: AsyncSession,
    institution_id: uuid.UUID,
    first: date,
    last: date,
    *,
    school_id: uuid.UUID | None = None,
    section_id: uuid.UUID | None = None,
    student_id: uuid.UUID | None = None,
) -> list[PeriodMark]:
    """The students' marks in ended sessions of the scope from `first` to `last` (the
    sessions' days, which are school days)."""
    rows = await report_rows(
        db,
        institution_id,
        first,
        last,
        student_id=student_id,
        section_id=section_id,
        school_id=school_id,
    )
    return [
        PeriodMark(
            student_id=r.student_id,
            session_id=r.session_id,
            day=r.day,
            category=_value(r.category),
            minutes_late=r.minutes_late,
            present_percent=r.present_percent,
            minutes=max(0, int((r.ends_at - r.starts_at).total_seconds() // 60)),
        )
        for r in rows
        if _value(r.state) in ENDED
    ]
