"""Loads a section's gradebook for totals in a few queries, whatever the number of students."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.grades.domain import Assessment, Result
from edtech.grades.domain.book import SectionBook
from edtech.grades.infrastructure.repositories import SqlAlchemyGradebooks, SqlAlchemySchemes
from edtech.grades.infrastructure.tables import assessment, grade_result


def _uuid(name: str) -> sa.BindParameter[uuid.UUID]:
    return sa.bindparam(name, type_=sa.Uuid())


def _uuids(name: str) -> sa.BindParameter[uuid.UUID]:
    return sa.bindparam(name, expanding=True, type_=sa.Uuid())


def _section_assessments(by_period: bool, by_category: bool) -> sa.Select[Assessment]:
    stmt = sa.select(Assessment).where(
        assessment.c.institution_id == _uuid("institution_id"),
        assessment.c.section_id == _uuid("section_id"),
    )
    if by_period:
        stmt = stmt.where(assessment.c.grading_period_id == _uuid("grading_period_id"))
    if by_category:
        stmt = stmt.where(assessment.c.category_id == _uuid("category_id"))
    return stmt.order_by(
        assessment.c.due_at.is_(None), assessment.c.due_at, assessment.c.created_at, assessment.c.id
    )


# Built once (a class's publication loads its book on the hot path); `assessments_query` binds.
_SECTION_ASSESSMENTS = {
    (by_period, by_category): _section_assessments(by_period, by_category)
    for by_period in (False, True)
    for by_category in (False, True)
}
_RESULTS = sa.select(Result).where(
    grade_result.c.institution_id == _uuid("institution_id"),
    grade_result.c.section_id == _uuid("section_id"),
    grade_result.c.assessment_id.in_(_uuids("assessment_ids")),
)
_RESULTS_OF_STUDENTS = _RESULTS.where(grade_result.c.student_id.in_(_uuids("student_ids")))


def _assessments_params(
    institution_id: uuid.UUID,
    section_id: uuid.UUID,
    grading_period_id: uuid.UUID | None,
    category_id: uuid.UUID | None,
) -> tuple[sa.Select[Assessment], dict[str, uuid.UUID]]:
    params = {"institution_id": institution_id, "section_id": section_id}
    if grading_period_id is not None:
        params["grading_period_id"] = grading_period_id
    if category_id is not None:
        params["category_id"] = category_id
    return _SECTION_ASSESSMENTS[grading_period_id is not None, category_id is not None], params


def assessments_query(
    institution_id: uuid.UUID,
    section_id: uuid.UUID,
    grading_period_id: uuid.UUID | None = None,
    category_id: uuid.UUID | None = None,
) -> sa.Select[Assessment]:
    """A section's assessments, in due order (undated last), then creation order."""
    stmt, params = _assessments_params(institution_id, section_id, grading_period_id, category_id)
    return stmt.params(params)


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
    stmt, params = _assessments_params(institution_id, section_id, grading_period_id, category_id)
    assessments = list((await session.scalars(stmt, params)).all())
    results: dict[tuple[uuid.UUID, uuid.UUID], Result] = {}
    if assessments and (student_ids is None or student_ids):
        wanted: dict[str, Any] = {
            "institution_id": institution_id,
            "section_id": section_id,
            "assessment_ids": [a.id for a in assessments],
        }
        results_stmt = _RESULTS
        if student_ids is not None:
            results_stmt, wanted["student_ids"] = _RESULTS_OF_STUDENTS, student_ids
        for r in (await session.scalars(results_stmt, wanted)).all():
            results[(r.assessment_id, r.student_id)] = r
    return SectionBook(book, scheme, assessments, results)
