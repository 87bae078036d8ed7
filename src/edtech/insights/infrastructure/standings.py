"""The course totals insights last saw per (student, section): read and replaced together, so a
drop since the previous publication can be told ("down 14 points since 20 Nov")."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.insights.domain.features import SeenTotal
from edtech.insights.infrastructure.tables import grade_standing, student_signal


def _dec(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


Standing = tuple[Decimal | None, date, Decimal | None, date | None]
"""A course total as insights last saw it: (percent, since, previous percent, previous since)."""


async def standings_of(
    session: AsyncSession, institution_id: uuid.UUID, student_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, dict[uuid.UUID, Standing]]:
    """Student → section → what insights last saw of the course total: one statement."""
    if not student_ids:
        return {}
    t = grade_standing
    rows = await session.execute(
        sa.select(t).where(
            t.c.institution_id == institution_id,
            t.c.student_id.in_(list(dict.fromkeys(student_ids))),
        )
    )
    out: dict[uuid.UUID, dict[uuid.UUID, Standing]] = {}
    for r in rows:
        out.setdefault(r.student_id, {})[r.section_id] = (
            _dec(r.percent),
            r.since,
            _dec(r.previous_percent),
            r.previous_since,
        )
    return out


def _upsert(insert: Any) -> Any:
    t = grade_standing
    stmt = insert(t)
    return stmt.on_conflict_do_update(
        index_elements=[t.c.student_id, t.c.section_id],
        set_={
            "percent": stmt.excluded.percent,
            "since": stmt.excluded.since,
            "previous_percent": stmt.excluded.previous_percent,
            "previous_since": stmt.excluded.previous_since,
        },
    )


_UPSERT = {"postgresql": _upsert(postgresql.insert), "sqlite": _upsert(sqlite.insert)}
"""Built once per dialect (a class's publication saves its students' standings each time):
executed with a list of rows, one statement sent as a batch, compiled once."""


async def save_standings(
    session: AsyncSession,
    institution_id: uuid.UUID,
    rows: Sequence[tuple[uuid.UUID, uuid.UUID, Standing]],
) -> None:
    """Upsert (student, section, standing) rows: one statement for all of them."""
    if not rows:
        return
    values: list[dict[str, Any]] = [
        {
            "student_id": student_id,
            "section_id": section_id,
            "institution_id": institution_id,
            "percent": _text(percent),
            "since": since,
            "previous_percent": _text(previous),
            "previous_since": previous_since,
        }
        for student_id, section_id, (percent, since, previous, previous_since) in rows
    ]
    await session.execute(_UPSERT[session.get_bind().dialect.name], values)


async def grade_totals_of(
    session: AsyncSession, institution_id: uuid.UUID, student_ids: Sequence[uuid.UUID]
) -> tuple[dict[uuid.UUID, list[SeenTotal]], dict[uuid.UUID, int]]:
    """Per student, each course's totals as insights last saw them (the latest and the one
    before, each with the day it was first seen), and the pieces of work missing (their
    `missing_work` signal): two statements for a school."""
    if not student_ids:
        return {}, {}
    t, s = grade_standing, student_signal
    totals: dict[uuid.UUID, list[SeenTotal]] = {}
    rows = await session.execute(
        sa.select(
            t.c.student_id, t.c.percent, t.c.since, t.c.previous_percent, t.c.previous_since
        ).where(t.c.institution_id == institution_id, t.c.student_id.in_(student_ids))
    )
    for r in rows:
        totals.setdefault(r.student_id, []).append(
            SeenTotal(_dec(r.percent), r.since, _dec(r.previous_percent), r.previous_since)
        )
    missing = await session.execute(
        sa.select(s.c.student_id, s.c.missed).where(
            s.c.institution_id == institution_id,
            s.c.student_id.in_(student_ids),
            s.c.indicator == "missing_work",
        )
    )
    return totals, {r.student_id: r.missed for r in missing}
