"""The signals repository and the list query."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import flag_modified

from edtech.insights.domain import (
    ATTENDANCE_INDICATORS,
    GRADE_INDICATORS,
    Indicator,
    Level,
    StudentSignal,
)
from edtech.insights.infrastructure.tables import student_signal
from edtech.kernel.ids import new_id
from edtech.platform.db.engine import dialect_insert

_WRITTEN = (
    "school_id",
    "level",
    "missed",
    "counted",
    "evidence",
    "missed_sessions",
    "links",
    "changed_at",
    "version",
)
"""What a recompute may change in a signal's row."""


class SqlAlchemySignals:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim_many(
        self,
        institution_id: uuid.UUID,
        wanted: list[tuple[uuid.UUID, Indicator]],
        now: datetime,
    ) -> dict[tuple[uuid.UUID, Indicator], StudentSignal]:
        """The students' signals for these indicators, created at level `none` where they do
        not exist yet, and locked for the rest of the transaction.

        Two recomputations of one student can run at once (two jobs, two nodes). A read, then
        an insert when nothing was found, lets both insert and one fail on the unique key; here
        the rows are one multi-row `INSERT … ON CONFLICT DO NOTHING` (the second waits for the
        first to commit, then inserts nothing) and the read is one `SELECT … FOR UPDATE`, so
        the second updates the rows the first committed instead of stale copies (PostgreSQL;
        SQLite has one writer at a time and its insert waits the same way). Both statements
        go in (student, indicator) order, so two batches never lock each other's rows
        crosswise.

        The locked read goes first: when every row exists (a student recomputed before — the
        common case, a mark changed) it is the only statement. Only when some are missing
        does the insert run, followed by a locked read of those it was missing (three
        statements). Whatever the batch's size."""
        if not wanted:
            return {}
        wanted = sorted(set(wanted), key=lambda w: (str(w[0]), w[1].value))
        found = await self._locked(institution_id, wanted)
        missing = [w for w in wanted if w not in found]
        if missing:
            await self._insert(institution_id, missing, now)
            found.update(await self._locked(institution_id, missing))
        return {w: found[w] for w in wanted}

    def save(self, signals: Iterable[StudentSignal]) -> None:
        """The claimed signals as the recompute left them: each changed one is written whole
        (`_WRITTEN`), so the flush sends a class's changed rows as one batched UPDATE rather
        than one per run of rows that happen to change the same columns (most change only
        their evidence, those whose level moves change more)."""
        for signal in signals:
            if self.session.is_modified(signal):
                for name in _WRITTEN:
                    flag_modified(signal, name)

    async def _locked(
        self, institution_id: uuid.UUID, wanted: list[tuple[uuid.UUID, Indicator]]
    ) -> dict[tuple[uuid.UUID, Indicator], StudentSignal]:
        t = student_signal
        stmt = (
            sa.select(StudentSignal)
            .where(
                t.c.institution_id == institution_id,
                t.c.student_id.in_(sorted({w[0] for w in wanted}, key=str)),
                t.c.indicator.in_(sorted({w[1].value for w in wanted})),
            )
            .order_by(t.c.student_id, t.c.indicator)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        keep = set(wanted)
        return {
            (s.student_id, s.indicator): s
            for s in await self.session.scalars(stmt)
            if (s.student_id, s.indicator) in keep
        }

    async def _insert(
        self,
        institution_id: uuid.UUID,
        wanted: list[tuple[uuid.UUID, Indicator]],
        now: datetime,
    ) -> None:
        t = student_signal
        rows: list[dict[str, Any]] = [
            {
                "id": new_id(),
                "institution_id": institution_id,
                "student_id": student_id,
                "school_id": None,
                "indicator": indicator,
                "level": Level.NONE,
                "missed": 0,
                "counted": 0,
                "evidence": "",
                "missed_sessions": [],
                "links": [],
                "changed_at": now,
                "version": 1,
            }
            for student_id, indicator in wanted
        ]
        await self.session.execute(
            dialect_insert(self.session)(t)
            .values(rows)
            .on_conflict_do_nothing(index_elements=[t.c.student_id, t.c.indicator])
        )


@dataclass(frozen=True)
class Visible:
    """Which signals a caller may see: every signal of some schools (their counsellors and
    administrators), every signal of some students (a teacher's: a select of their ids), and
    a guardian's children's — the attendance ones of `attendance_of`, the grade ones of
    `grades_of` (what each link lets the guardian see)."""

    schools: Sequence[uuid.UUID] = ()
    students: sa.Select[Any] | None = None
    attendance_of: Sequence[uuid.UUID] = ()
    grades_of: Sequence[uuid.UUID] = ()

    def where(self) -> sa.ColumnElement[bool]:
        t = student_signal
        seen: list[sa.ColumnElement[bool]] = []
        if self.schools:
            seen.append(t.c.school_id.in_(self.schools))
        if self.students is not None:
            seen.append(t.c.student_id.in_(self.students))
        for students, indicators in (
            (self.attendance_of, ATTENDANCE_INDICATORS),
            (self.grades_of, GRADE_INDICATORS),
        ):
            if students:
                seen.append(
                    sa.and_(
                        t.c.student_id.in_(students),
                        t.c.indicator.in_([i.value for i in indicators]),
                    )
                )
        return sa.or_(*seen) if seen else sa.false()


def signals_query(
    institution_id: uuid.UUID,
    visible: Visible,
    *,
    level: str | None = None,
    school_id: uuid.UUID | None = None,
    student_id: uuid.UUID | None = None,
    students: Sequence[uuid.UUID] | None = None,
) -> sa.Select[Any]:
    """The signals of the institution the caller may see (`visible`), latest change first;
    narrowed to a level, a school, a student, or some students (a section's)."""
    t = student_signal
    stmt = sa.select(t).where(t.c.institution_id == institution_id, visible.where())
    if level is not None:
        stmt = stmt.where(t.c.level == level)
    if school_id is not None:
        stmt = stmt.where(t.c.school_id == school_id)
    if student_id is not None:
        stmt = stmt.where(t.c.student_id == student_id)
    if students is not None:
        stmt = stmt.where(t.c.student_id.in_(students))
    return stmt.order_by(t.c.changed_at.desc(), t.c.id)


async def students_with_signals(
    session: AsyncSession, institution_id: uuid.UUID
) -> list[uuid.UUID]:
    """Every student of the institution with a signal, in id order."""
    t = student_signal
    stmt = (
        sa.select(t.c.student_id)
        .where(t.c.institution_id == institution_id)
        .distinct()
        .order_by(t.c.student_id)
    )
    return list((await session.scalars(stmt)).all())
