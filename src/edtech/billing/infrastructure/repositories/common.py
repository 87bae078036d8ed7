"""What every billing repository shares: the session, the institution, the scoped lookup."""

from __future__ import annotations

import uuid
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")


class Scoped:
    """Every query is scoped to the institution; other tenants' ids look missing."""

    def __init__(self, session: AsyncSession, institution_id: uuid.UUID) -> None:
        self.session = session
        self.institution_id = institution_id

    async def _one(self, cls: type[T], table: sa.Table, id: uuid.UUID, lock: bool) -> T | None:
        stmt = sa.select(cls).where(table.c.id == id, table.c.institution_id == self.institution_id)
        if lock:  # re-read under the lock: what we saw before may have changed
            stmt = stmt.with_for_update().execution_options(populate_existing=True)
        found: T | None = (await self.session.scalars(stmt)).first()
        return found
