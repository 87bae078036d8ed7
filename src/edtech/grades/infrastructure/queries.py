"""Read queries for lists and views.

Lists of schemes and publications select the mapped classes (their columns hold domain values);
the history and the sections a student has grades in are plain Core reads.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.grades.domain import GradingScheme, Publication
from edtech.grades.infrastructure.tables import (
    grade_change,
    grade_publication,
    grade_result,
    grade_scheme,
)


def schemes_query(institution_id: uuid.UUID, kind: str | None = None) -> sa.Select[Any]:
    stmt = sa.select(GradingScheme).where(grade_scheme.c.institution_id == institution_id)
    if kind is not None:
        stmt = stmt.where(grade_scheme.c.kind == kind)
    return stmt.order_by(grade_scheme.c.name, grade_scheme.c.id)


def history_query(
    institution_id: uuid.UUID, assessment_id: uuid.UUID, student_id: uuid.UUID | None = None
) -> sa.Select[Any]:
    """Every change of the assessment's results, oldest first."""
    stmt = sa.select(grade_change).where(
        grade_change.c.institution_id == institution_id,
        grade_change.c.assessment_id == assessment_id,
    )
    if student_id is not None:
        stmt = stmt.where(grade_change.c.student_id == student_id)
    return stmt.order_by(grade_change.c.at, grade_change.c.id)


def publications_query(institution_id: uuid.UUID, assessment_id: uuid.UUID) -> sa.Select[Any]:
    """An assessment's publications, newest first."""
    return (
        sa.select(Publication)
        .where(
            grade_publication.c.institution_id == institution_id,
            grade_publication.c.assessment_id == assessment_id,
        )
        .order_by(grade_publication.c.published_at.desc(), grade_publication.c.id.desc())
    )


async def sections_with_published_results(
    session: AsyncSession, institution_id: uuid.UUID, student_id: uuid.UUID
) -> list[uuid.UUID]:
    """The sections in which the student has at least one published result (in id order)."""
    return list(await published_sections_of_students(session, institution_id, [student_id]))


async def published_sections_of_students(
    session: AsyncSession, institution_id: uuid.UUID, student_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    """Each section in which any of the students has a published result, with those students
    (both in id order): one statement for a whole class."""
    if not student_ids:
        return {}
    stmt = (
        sa.select(grade_result.c.section_id, grade_result.c.student_id)
        .where(
            grade_result.c.institution_id == institution_id,
            grade_result.c.student_id.in_(list(dict.fromkeys(student_ids))),
            grade_result.c.published_at.is_not(None),
        )
        .distinct()
        .order_by(grade_result.c.section_id, grade_result.c.student_id)
    )
    out: dict[uuid.UUID, list[uuid.UUID]] = {}
    for section_id, student_id in (await session.execute(stmt)).all():
        out.setdefault(section_id, []).append(student_id)
    return out
