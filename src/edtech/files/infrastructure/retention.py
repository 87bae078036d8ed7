"""The institutions' own retention periods: a record without behaviour (Core, ADR-0005)."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.files.domain import Category
from edtech.files.domain.retention import Periods
from edtech.files.infrastructure.tables import file_retention as t
from edtech.platform.db.engine import dialect_insert


def _periods(raw: dict[str, int | None]) -> Periods:
    return {Category(c): days for c, days in raw.items() if c in Category.__members__.values()}


async def retention_overrides(session: AsyncSession, institution_id: uuid.UUID) -> Periods:
    """The periods the institution set itself (none: it keeps the defaults)."""
    raw = await session.scalar(sa.select(t.c.periods).where(t.c.institution_id == institution_id))
    return _periods(raw or {})


async def locked_retention_overrides(
    session: AsyncSession, institution_id: uuid.UUID, by: uuid.UUID, at: datetime
) -> Periods:
    """The institution's own periods, its row locked until the transaction ends (created
    empty if it has none), so that two administrators saving at once each merge into what the
    other saved instead of one change being lost. On SQLite the insert takes the database's
    write lock first, which serialises the two the same way."""
    await session.execute(
        dialect_insert(session)(t)
        .values(institution_id=institution_id, periods={}, updated_by=by, updated_at=at)
        .on_conflict_do_nothing(index_elements=[t.c.institution_id])
    )
    raw = await session.scalar(
        sa.select(t.c.periods).where(t.c.institution_id == institution_id).with_for_update()
    )
    return _periods(raw or {})


async def all_retention_overrides(session: AsyncSession) -> dict[uuid.UUID, Periods]:
    """Every institution's own periods, for the pruning job."""
    rows = await session.execute(sa.select(t.c.institution_id, t.c.periods))
    return {r.institution_id: _periods(r.periods) for r in rows}


async def save_retention_overrides(
    session: AsyncSession, institution_id: uuid.UUID, periods: Periods, by: uuid.UUID, at: datetime
) -> None:
    values = {
        "periods": {c.value: days for c, days in sorted(periods.items())},
        "updated_by": by,
        "updated_at": at,
    }
    stmt = dialect_insert(session)(t).values(institution_id=institution_id, **values)
    await session.execute(
        stmt.on_conflict_do_update(index_elements=[t.c.institution_id], set_=values)
    )
