"""Loads a section's gradebook for totals in a few queries, whatever the number of students."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.grades.domain import Assessment, Result
from edtech.grades.domain.book import SectionBook
from edtech.grades.infrastructure.repositories import SqlAlchemyGradebooks, SqlAlchemySchemes
from edtech.grades.infrastructure.tables import assessment, grade_result


def assessments_query(
    institution_id: uuid.UUID,
    section_id: uuid.UUID,
    grading_period_id: uuid.UUID | None = None,
    category_id: uuid.UUID | None = None,
) -> sa.Select[Assessment]:
    """A section's assessments, in due order (undated last), then creation order."""
    stmt = sa.select(Assessment).where(
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
    """The gradebook, its total scheme, the (filtered) assessments and their results.

    Three set-based selects (gradebook, assessments, results) whatever the class size; inside a
    unit of work they see its own changes (the session flushes before each).
    """
    book = await SqlAlchemyGradebooks(session).get(institution_id, section_id)
    scheme = None
    if book is not None and book.total_scheme_id is not None:
        scheme = await SqlAlchemySchemes(session).get(institution_id, book.total_scheme_id)
    stmt = assessments_query(institution_id, section_id, grading_period_id, category_id)
    assessments = list((await session.scalars(stmt)).all())
    results: dict[tuple[uuid.UUID, uuid.UUID], Result] = {}
    if assessments and (student_ids is None or student_ids):
        results_stmt = sa.select(Result).where(
            grade_result.c.institution_id == institution_id,
            grade_result.c.section_id == section_id,
            grade_result.c.assessment_id.in_([a.id for a in assessments]),
        )
        if student_ids is not None:
            results_stmt = results_stmt.where(grade_result.c.student_id.in_(student_ids))
        for r in (await session.scalars(results_stmt)).all():
            results[(r.assessment_id, r.student_id)] = r
    return SectionBook(book, scheme, assessments, results)
