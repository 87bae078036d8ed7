"""Reads and the once-only record behind the "attendance not taken" alerts."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from edtech.attendance.public import report_rows
from edtech.insights.domain.not_taken import RegisterLine
from edtech.insights.infrastructure.tables import attendance_not_taken_alert
from edtech.platform.db.engine import dialect_insert


def _value(v: object) -> object:
    return getattr(v, "value", v)


async def register_lines(
    db: AsyncSession, institution_id: uuid.UUID, first: date, last: date
) -> list[RegisterLine]:
    """Every student's mark in the institution's sessions from `first` to `last`."""
    return [
        RegisterLine(
            session_id=r.session_id,
            section_id=r.section_id,
            school_id=r.school_id,
            day=r.day,
            starts_at=r.starts_at,
            state=str(_value(r.state)),
            category=None if r.category is None else str(_value(r.category)),
        )
        for r in await report_rows(db, institution_id, first, last)
    ]


async def claim_alert(
    session: AsyncSession, institution_id: uuid.UUID, session_id: uuid.UUID, now: datetime
) -> bool:
    """Record that the session was alerted; False if it already was (by this node or another:
    `INSERT … ON CONFLICT DO NOTHING`, so two nodes never alert one session twice)."""
    t = attendance_not_taken_alert
    stmt = (
        dialect_insert(session)(t)
        .values(session_id=session_id, institution_id=institution_id, alerted_at=now)
        .on_conflict_do_nothing(index_elements=[t.c.session_id])
        .returning(t.c.session_id)
    )
    return (await session.execute(stmt)).scalar_one_or_none() is not None
