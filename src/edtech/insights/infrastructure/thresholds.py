"""An institution's thresholds: read (the defaults when none were set) and replaced by one
upsert — a value object without behaviour or events, so Core, not a mapped aggregate."""

from __future__ import annotations

import uuid
from dataclasses import asdict, fields
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.insights.domain.thresholds import DEFAULT_THRESHOLDS, Thresholds
from edtech.insights.infrastructure.tables import insights_threshold
from edtech.platform.db.engine import dialect_insert

NAMES = [f.name for f in fields(Thresholds)]


async def thresholds_of(session: AsyncSession, institution_id: uuid.UUID) -> Thresholds:
    t = insights_threshold
    row = (
        await session.execute(
            sa.select(*[t.c[n] for n in NAMES]).where(t.c.institution_id == institution_id)
        )
    ).one_or_none()
    return DEFAULT_THRESHOLDS if row is None else Thresholds(**row._asdict())


async def save_thresholds(
    session: AsyncSession,
    institution_id: uuid.UUID,
    thresholds: Thresholds,
    at: datetime,
    by: uuid.UUID | None,
) -> None:
    values = {**asdict(thresholds), "updated_at": at, "updated_by": by}
    t = insights_threshold
    await session.execute(
        dialect_insert(session)(t)
        .values(institution_id=institution_id, **values)
        .on_conflict_do_update(index_elements=[t.c.institution_id], set_=values)
    )
