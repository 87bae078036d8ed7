"""Loads a section's gradebook for totals in a few queries, whatever the number of students."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.grades.domain.book import SectionBook
from edtech.grades.infrastructure.repositories import (
    SqlAlchemyGradebooks,
    SqlAlchemySchemes,
    assessment_from_row,
)
from edtech.grades.infrastructure.results import (
    result_from_row,
)
from edtech.grades.infrastructure.tables import assessment, grade_result


def assessments_query(
    institution_id: uuid.UUID,
    section_id: uuid.UUID,
    grading_period_id: uuid.UUID | None = None,
    category_id: uuid.UUID | None = None,
) -> sa.Select[tuple[object, ...]]:
    """A section's assessments, in due order (undated last), then creation order."""
    stmt = sa.select(assessment).where(
        assessment.c.institution_id == institution_id, assessment.c.section_id == section_id
    )
    if grading_period_id is not None:
        stmt = stmt.where(assessment.c.grading_period_id == grading_period_id)
    if category_id is not None:
        stmt = stmt.where(assessment.c.category_id == category_id)
    return stmt.order_by(
        assessment.c.due_at.is_(None), assessment.c.due_at, assessment.c.created_at, assessment.c.id
    )


async def load_section_book(
    session: AsyncSession,
    institution_id: uuid.UUID,
    section_id: uuid.UUID,
    *,
    grading_period_id: uuid.UUID | None = None,
    category_id: uuid.UUID | None = None,
    student_ids: list[uuid.UUID] | None = None,
) -> SectionBook:
    """The gradebook, its total scheme, the (filtered) assessments and their results."""
    book = await SqlAlchemyGradebooks(session).get(institution_id, section_id)
    scheme = None
    if book is not None and book.total_scheme_id is not None:
        scheme = await SqlAlchemySchemes(session).get(institution_id, book.total_scheme_id)
    rows = (
        await session.execute(
            assessments_query(institution_id, section_id, grading_period_id, category_id)
        )
    ).all()
    assessments = [assessment_from_row(r) for r in rows]
    results_stmt = sa.select(grade_result).where(
        grade_result.c.institution_id == institution_id,
        grade_result.c.section_id == section_id,
        grade_result.c.assessment_id.in_([a.id for a in assessments]),
    )
    if student_ids is not None:
        results_stmt = results_stmt.where(grade_result.c.student_id.in_(student_ids))
    results = {}
    if assessments and (student_ids is None or student_ids):
        for row in (await session.execute(results_stmt)).all():
            r = result_from_row(row)
            results[(r.assessment_id, r.student_id)] = r
    return SectionBook(book, scheme, assessments, results)
