"""Repositories: load and add the grades aggregates on the unit of work's session.

The aggregates are mapped imperatively (`tables.py`): the session tracks what a use case loads
or adds, writes only what changed, checks versions on every UPDATE, and the unit of work
collects the events the aggregates recorded. Nothing here writes rows by hand.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
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


class SqlAlchemyPublications:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, publication: Publication) -> None:
        self.session.add(publication)
