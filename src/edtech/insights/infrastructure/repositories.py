"""The signals repository and the list query."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.insights.domain import Indicator, StudentSignal
from edtech.insights.infrastructure.tables import student_signal


class SqlAlchemySignals:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, signal: StudentSignal) -> None:
        self.session.add(signal)

    async def of_student(
        self, institution_id: uuid.UUID, student_id: uuid.UUID, indicator: Indicator
    ) -> StudentSignal | None:
        t = student_signal
        stmt = sa.select(StudentSignal).where(
            t.c.institution_id == institution_id,
            t.c.student_id == student_id,
            t.c.indicator == indicator.value,
        )
        return (await self.session.scalars(stmt)).one_or_none()


def signals_query(
    institution_id: uuid.UUID,
    *,
    schools: list[uuid.UUID] | None,
    level: str | None,
    student_id: uuid.UUID | None,
) -> sa.Select[Any]:
    """Signals of the institution (of these schools when given), latest change first."""
    t = student_signal
    stmt = sa.select(t).where(t.c.institution_id == institution_id)
    if schools is not None:
        stmt = stmt.where(t.c.school_id.in_(schools))
    if level is not None:
        stmt = stmt.where(t.c.level == level)
    if student_id is not None:
        stmt = stmt.where(t.c.student_id == student_id)
    return stmt.order_by(t.c.changed_at.desc(), t.c.id)
