"""The institution's attendance letter template: a record without behaviour (Core, ADR-0005)."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.files.domain.letters import DEFAULT_TEMPLATE, LetterTemplate
from edtech.files.infrastructure.tables import attendance_letter_template as t
from edtech.platform.db.engine import dialect_insert


async def letter_template(session: AsyncSession, institution_id: uuid.UUID) -> LetterTemplate:
    """The institution's template, or the default when it has set none."""
    row = (
        await session.execute(
            sa.select(t.c.title, t.c.body).where(t.c.institution_id == institution_id)
        )
    ).first()
    return DEFAULT_TEMPLATE if row is None else LetterTemplate(row.title, row.body)


async def save_letter_template(
    session: AsyncSession,
    institution_id: uuid.UUID,
    template: LetterTemplate,
    by: uuid.UUID,
    at: datetime,
) -> None:
    values = {"title": template.title, "body": template.body, "updated_by": by, "updated_at": at}
    stmt = dialect_insert(session)(t).values(institution_id=institution_id, **values)
    await session.execute(
        stmt.on_conflict_do_update(index_elements=[t.c.institution_id], set_=values)
    )
