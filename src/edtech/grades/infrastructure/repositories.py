"""Repositories: load and add the grades aggregates on the unit of work's session.

The aggregates are mapped imperatively (`tables.py`): the session tracks what a use case loads
or adds, writes only what changed, checks versions on every UPDATE, and the unit of work
collects the events the aggregates recorded. One exception, a measured hot path (ADR-0005):
a publication's results are written by `SqlAlchemyResults.save_published`, and entered drafts
by `save_drafts`, in one statement each, with the same version check, keeping the session in
step.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import get_history, set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from edtech.grades.domain import Assessment, Gradebook, GradingScheme, Publication, Result
from edtech.grades.infrastructure.tables import assessment, grade_result, grade_scheme
from edtech.kernel.errors import ConflictError


def stale(what: str) -> ConflictError:
    return ConflictError(f"{what} changed meanwhile; reload and retry")


@asynccontextmanager
async def conflicts_as(what: str) -> AsyncIterator[None]:
    """A concurrent write noticed at flush is a conflict (409), not a failure: a version that
    moved since we loaded it, or a row (a first result, a gradebook, a scheme name) that another
    request inserted first."""
    try:
        yield
    except (StaleDataError, sa.exc.IntegrityError):
        raise stale(what) from None


class SqlAlchemySchemes:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, institution_id: uuid.UUID, scheme_id: uuid.UUID) -> GradingScheme | None:
        scheme = await self.session.get(GradingScheme, scheme_id)
        return scheme if scheme is not None and scheme.institution_id == institution_id else None

    async def name_taken(self, institution_id: uuid.UUID, name: str) -> bool:
        stmt = sa.select(grade_scheme.c.id).where(
            grade_scheme.c.institution_id == institution_id,
            sa.func.lower(grade_scheme.c.name) == name.strip().lower(),
        )
        return await self.session.scalar(stmt) is not None

    def add(self, scheme: GradingScheme) -> None:
        self.session.add(scheme)


class SqlAlchemyGradebooks:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, institution_id: uuid.UUID, section_id: uuid.UUID) -> Gradebook | None:
        book = await self.session.get(Gradebook, section_id)
        return book if book is not None and book.institution_id == institution_id else None

    async def categories_in_use(self, section_id: uuid.UUID) -> set[uuid.UUID]:
        stmt = sa.select(assessment.c.category_id).where(assessment.c.section_id == section_id)
        return set((await self.session.scalars(stmt.distinct())).all())

    def add(self, book: Gradebook) -> None:
        self.session.add(book)


class SqlAlchemyAssessments:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, institution_id: uuid.UUID, assessment_id: uuid.UUID) -> Assessment | None:
        found = await self.session.get(Assessment, assessment_id)
        return found if found is not None and found.institution_id == institution_id else None

    async def many(
        self, institution_id: uuid.UUID, ids: list[uuid.UUID]
    ) -> dict[uuid.UUID, Assessment]:
        if not ids:
            return {}
        stmt = sa.select(Assessment).where(
            assessment.c.institution_id == institution_id, assessment.c.id.in_(set(ids))
        )
        return {a.id: a for a in (await self.session.scalars(stmt)).all()}

    def add(self, a: Assessment) -> None:
        self.session.add(a)


class SqlAlchemyResults:
    """Results by assessment."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def for_assessments(
        self, institution_id: uuid.UUID, assessment_ids: list[uuid.UUID]
    ) -> list[Result]:
        if not assessment_ids:
            return []
        stmt = (
            sa.select(Result)
            .where(
                grade_result.c.institution_id == institution_id,
                grade_result.c.assessment_id.in_(set(assessment_ids)),
            )
            .order_by(grade_result.c.assessment_id, grade_result.c.student_id)
        )
        return list((await self.session.scalars(stmt)).all())

    def add(self, result: Result) -> None:
        self.session.add(result)

    async def save_published(self, results: Sequence[Result]) -> None:
        """Write what publishing changed on `results` — the published mark, its time, the
        version, who and when — in one statement, each row only if its version is still the
        one it was loaded with (a row that moved is a conflict, as at flush).

        The ORM writes a versioned row per UPDATE statement (asyncpg reports no row count for
        executemany), so a publication to 35 students was 35 round trips in its transaction.
        Results not yet in the database are left to the flush, which inserts them as they are.
        """
        await self._save(results, _PUBLISHED)

    async def save_drafts(self, results: Sequence[Result]) -> None:
        """Write what entering changed on `results` — the draft, the version, who and when —
        in one statement, with the same version check as `save_published` (a class's grades
        entered in one request were one UPDATE per result)."""
        await self._save(results, _DRAFTED)

    async def _save(self, results: Sequence[Result], writes: _Writes) -> None:
        rows: list[dict[str, Any]] = []
        written: list[Result] = []
        for result in results:
            if not sa.inspect(result).persistent:
                continue
            before = get_history(result, "version")
            loaded = before.deleted[0] if before.deleted else result.version
            rows.append(
                {"id": result.id, "loaded": loaded}
                | {key: getattr(result, key) for key in writes.columns}
            )
            written.append(result)
        if not rows:
            return
        if self.session.get_bind().dialect.name == "postgresql":
            params = {key: [row[key] for row in rows] for key in rows[0]}
            params[writes.mark] = [
                None if m is None else json.dumps(m.as_data()) for m in params[writes.mark]
            ]
            found = await self.session.execute(writes.postgresql, params)
        else:
            found = await self.session.execute(
                writes.each, [{f"b_{k}": v for k, v in row.items()} for row in rows]
            )
        if found.rowcount != len(rows):  # type: ignore[attr-defined]
            raise stale("a result")
        for result in written:
            for key in writes.columns:
                set_committed_value(result, key, getattr(result, key))


@dataclass(frozen=True)
class _Writes:
    """The columns a change of results writes (its mark column, JSON, among them) and its two
    statements, built once: one row per parameter set (executemany, whose row count SQLite
    reports), and every row in one statement on PostgreSQL, each column bound as one array (as
    `platform.db.bulk` does). Either updates a row only if its version is the loaded one."""

    columns: tuple[str, ...]
    mark: str
    each: sa.Update
    postgresql: sa.TextClause


def _writes(columns: tuple[str, ...], mark: str, postgresql: str) -> _Writes:
    each = (
        sa.update(grade_result)
        .where(
            grade_result.c.id == sa.bindparam("b_id"),
            grade_result.c.version == sa.bindparam("b_loaded"),
        )
        .values({key: sa.bindparam(f"b_{key}") for key in columns})
    )
    return _Writes(columns, mark, each, sa.text(postgresql))


_PUBLISHED = _writes(
    ("published", "published_at", "version", "updated_at", "updated_by"),
    "published",
    """UPDATE grade_result
SET published = CAST(u.published AS json), published_at = u.published_at, version = u.version,
    updated_at = u.updated_at, updated_by = u.updated_by
FROM unnest(CAST(:id AS uuid[]), CAST(:loaded AS integer[]), CAST(:published AS text[]),
            CAST(:published_at AS timestamptz[]), CAST(:version AS integer[]),
            CAST(:updated_at AS timestamptz[]), CAST(:updated_by AS uuid[]))
     AS u(id, loaded, published, published_at, version, updated_at, updated_by)
WHERE grade_result.id = u.id AND grade_result.version = u.loaded""",
)
"""What `Result.publish` changes, and so what `save_published` writes."""

_DRAFTED = _writes(
    ("draft", "version", "updated_at", "updated_by"),
    "draft",
    """UPDATE grade_result
SET draft = CAST(u.draft AS json), version = u.version, updated_at = u.updated_at,
    updated_by = u.updated_by
FROM unnest(CAST(:id AS uuid[]), CAST(:loaded AS integer[]), CAST(:draft AS text[]),
            CAST(:version AS integer[]), CAST(:updated_at AS timestamptz[]),
            CAST(:updated_by AS uuid[]))
     AS u(id, loaded, draft, version, updated_at, updated_by)
WHERE grade_result.id = u.id AND grade_result.version = u.loaded""",
)
"""What `Result.enter` changes, and so what `save_drafts` writes."""


class SqlAlchemyPublications:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, publication: Publication) -> None:
        self.session.add(publication)
