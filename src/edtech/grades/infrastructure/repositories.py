"""Repositories: load and save the grades aggregates with Core statements, versions checked."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.grades.domain import (
    Assessment,
    Category,
    Gradebook,
    GradingScheme,
    LetterBand,
    PostPolicy,
    SchemeKind,
    Weighting,
)
from edtech.grades.domain.schemes import plain
from edtech.grades.infrastructure.tables import (
    assessment,
    grade_category,
    grade_scheme,
    gradebook,
)
from edtech.kernel.errors import ConflictError


def stale(what: str) -> ConflictError:
    return ConflictError(f"{what} changed meanwhile; reload and retry")


async def insert_once(session: AsyncSession, stmt: sa.Insert, what: str) -> None:
    """Insert a row that a concurrent request may have inserted first: that is a conflict."""
    try:
        await session.execute(stmt)
    except sa.exc.IntegrityError:
        raise stale(what) from None


def bands_data(bands: tuple[LetterBand, ...]) -> list[dict[str, Any]]:
    return [
        {
            "letter": b.letter,
            "min_percent": plain(b.min_percent),
            "value_percent": None if b.value_percent is None else plain(b.value_percent),
        }
        for b in bands
    ]


def scheme_from_row(row: Any) -> GradingScheme:
    bands = tuple(
        LetterBand(
            b["letter"],
            Decimal(b["min_percent"]),
            None if b.get("value_percent") is None else Decimal(b["value_percent"]),
        )
        for b in row.bands
    )
    return GradingScheme(
        id=row.id,
        institution_id=row.institution_id,
        name=row.name,
        kind=SchemeKind(row.kind),
        bands=bands,
        pass_percent=row.pass_percent,
    )


class SqlAlchemySchemes:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, institution_id: uuid.UUID, scheme_id: uuid.UUID) -> GradingScheme | None:
        row = (
            await self.session.execute(
                sa.select(grade_scheme).where(
                    grade_scheme.c.institution_id == institution_id, grade_scheme.c.id == scheme_id
                )
            )
        ).first()
        return None if row is None else scheme_from_row(row)

    async def name_taken(self, institution_id: uuid.UUID, name: str) -> bool:
        stmt = sa.select(grade_scheme.c.id).where(
            grade_scheme.c.institution_id == institution_id,
            sa.func.lower(grade_scheme.c.name) == name.strip().lower(),
        )
        return await self.session.scalar(stmt) is not None

    async def add(self, scheme: GradingScheme, at: datetime) -> None:
        await insert_once(
            self.session,
            grade_scheme.insert().values(
                id=scheme.id,
                institution_id=scheme.institution_id,
                name=scheme.name.strip(),
                kind=scheme.kind.value,
                bands=bands_data(scheme.bands),
                pass_percent=scheme.pass_percent,
                created_at=at,
            ),
            "the institution's grading schemes",
        )


class SqlAlchemyGradebooks:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._versions: dict[uuid.UUID, int] = {}

    async def get(self, institution_id: uuid.UUID, section_id: uuid.UUID) -> Gradebook | None:
        row = (
            await self.session.execute(
                sa.select(gradebook).where(
                    gradebook.c.institution_id == institution_id,
                    gradebook.c.section_id == section_id,
                )
            )
        ).first()
        if row is None:
            return None
        cats = (
            await self.session.execute(
                sa.select(grade_category)
                .where(grade_category.c.section_id == section_id)
                .order_by(grade_category.c.position, grade_category.c.id)
            )
        ).all()
        book = Gradebook(
            section_id=row.section_id,
            institution_id=row.institution_id,
            weighting=Weighting(row.weighting),
            post_policy=PostPolicy(row.post_policy),
            total_scheme_id=row.total_scheme_id,
            categories=[
                Category(id=c.id, name=c.name, weight_ppm=c.weight_ppm, drop_lowest=c.drop_lowest)
                for c in cats
            ],
            version=row.version,
        )
        self._versions[section_id] = row.version
        return book

    async def categories_in_use(self, section_id: uuid.UUID) -> set[uuid.UUID]:
        stmt = sa.select(assessment.c.category_id).where(assessment.c.section_id == section_id)
        return set((await self.session.scalars(stmt.distinct())).all())

    async def save(self, book: Gradebook, at: datetime) -> None:
        values = {
            "weighting": book.weighting.value,
            "post_policy": book.post_policy.value,
            "total_scheme_id": book.total_scheme_id,
            "version": book.version,
            "updated_at": at,
        }
        loaded = self._versions.get(book.section_id)
        if loaded is None:
            await insert_once(
                self.session,
                gradebook.insert().values(
                    section_id=book.section_id, institution_id=book.institution_id, **values
                ),
                "the gradebook",
            )
        else:
            done = await self.session.execute(
                gradebook.update()
                .where(gradebook.c.section_id == book.section_id, gradebook.c.version == loaded)
                .values(**values)
            )
            if done.rowcount != 1:  # type: ignore[attr-defined]
                raise stale("the gradebook")
        self._versions[book.section_id] = book.version
        keep = [c.id for c in book.categories]
        await self.session.execute(
            grade_category.delete().where(
                grade_category.c.section_id == book.section_id, grade_category.c.id.not_in(keep)
            )
        )
        existing = set(
            (
                await self.session.scalars(
                    sa.select(grade_category.c.id).where(
                        grade_category.c.section_id == book.section_id
                    )
                )
            ).all()
        )
        for position, c in enumerate(book.categories):
            row = {
                "name": c.name.strip(),
                "weight_ppm": c.weight_ppm,
                "drop_lowest": c.drop_lowest,
                "position": position,
            }
            if c.id in existing:
                await self.session.execute(
                    grade_category.update().where(grade_category.c.id == c.id).values(**row)
                )
            else:
                await self.session.execute(
                    grade_category.insert().values(
                        id=c.id,
                        institution_id=book.institution_id,
                        section_id=book.section_id,
                        **row,
                    )
                )


def assessment_from_row(row: Any) -> Assessment:
    return Assessment(
        id=row.id,
        institution_id=row.institution_id,
        section_id=row.section_id,
        category_id=row.category_id,
        grading_period_id=row.grading_period_id,
        scheme_id=row.scheme_id,
        title=row.title,
        max_points=row.max_points,
        due_at=row.due_at,
        post_policy=None if row.post_policy is None else PostPolicy(row.post_policy),
        version=row.version,
        created_at=row.created_at,
    )


def _assessment_values(a: Assessment) -> dict[str, Any]:
    return {
        "category_id": a.category_id,
        "grading_period_id": a.grading_period_id,
        "scheme_id": a.scheme_id,
        "title": a.title.strip(),
        "max_points": a.max_points,
        "due_at": a.due_at,
        "post_policy": None if a.post_policy is None else a.post_policy.value,
        "version": a.version,
    }


class SqlAlchemyAssessments:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._versions: dict[uuid.UUID, int] = {}

    async def get(self, institution_id: uuid.UUID, assessment_id: uuid.UUID) -> Assessment | None:
        found = await self.many(institution_id, [assessment_id])
        return found.get(assessment_id)

    async def many(
        self, institution_id: uuid.UUID, ids: list[uuid.UUID]
    ) -> dict[uuid.UUID, Assessment]:
        if not ids:
            return {}
        rows = (
            await self.session.execute(
                sa.select(assessment).where(
                    assessment.c.institution_id == institution_id, assessment.c.id.in_(set(ids))
                )
            )
        ).all()
        out = {r.id: assessment_from_row(r) for r in rows}
        self._versions.update({a.id: a.version for a in out.values()})
        return out

    async def add(self, a: Assessment) -> None:
        await self.session.execute(
            assessment.insert().values(
                id=a.id,
                institution_id=a.institution_id,
                section_id=a.section_id,
                created_at=a.created_at,
                **_assessment_values(a),
            )
        )
        self._versions[a.id] = a.version

    async def save(self, a: Assessment) -> None:
        done = await self.session.execute(
            assessment.update()
            .where(assessment.c.id == a.id, assessment.c.version == self._versions[a.id])
            .values(**_assessment_values(a))
        )
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise stale("the assessment")
        self._versions[a.id] = a.version
