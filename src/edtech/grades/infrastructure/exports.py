"""What grades hands other slices for documents: a student's published report (what a report
card prints, the same totals `GET /students/{id}/grades` shows) and their results with every
change, for their record package."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.grades.domain import plain
from edtech.grades.infrastructure.loading import load_section_book
from edtech.grades.infrastructure.queries import sections_with_published_results
from edtech.grades.infrastructure.tables import assessment, grade_change, grade_result


@dataclass(frozen=True)
class ReportLine:
    title: str
    points: str | None
    """Published points, None when not scored (missing, excused, exempt)."""
    max_points: str
    flags: tuple[str, ...]


@dataclass(frozen=True)
class SectionReport:
    """One section of a report card: published results and the published total, explained."""

    section_id: uuid.UUID
    lines: tuple[ReportLine, ...]
    percent: str | None
    letter: str | None
    explanation: str


async def published_report(
    session: AsyncSession,
    institution_id: uuid.UUID,
    student_id: uuid.UUID,
    grading_period_id: uuid.UUID | None = None,
) -> list[SectionReport]:
    """Every section where the student has a published result; drafts never show."""
    out: list[SectionReport] = []
    for section_id in await sections_with_published_results(session, institution_id, student_id):
        book = await load_section_book(
            session,
            institution_id,
            section_id,
            grading_period_id=grading_period_id,
            student_ids=[student_id],
        )
        lines = []
        for a in book.assessments:
            r = book.results.get((a.id, student_id))
            if r is None or r.published is None:
                continue
            mark = r.published
            lines.append(
                ReportLine(
                    title=a.title,
                    points=None if mark.points is None else plain(mark.points),
                    max_points=plain(a.max_points),
                    flags=tuple(sorted(f.value for f in mark.flags)),
                )
            )
        total = book.total(student_id, published=True)
        out.append(
            SectionReport(
                section_id=section_id,
                lines=tuple(lines),
                percent=None if total.percent is None else str(total.percent),
                letter=total.letter,
                explanation=total.text,
            )
        )
    return out


def _rows(result: Any) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in result]


async def student_grades_record(
    session: AsyncSession, institution_id: uuid.UUID, student_id: uuid.UUID
) -> dict[str, list[dict[str, Any]]]:
    """The student's results (draft and published, with the assessment's title) and every
    change to them."""
    results = _rows(
        await session.execute(
            sa.select(
                grade_result, assessment.c.title.label("assessment_title"), assessment.c.max_points
            )
            .join(assessment, assessment.c.id == grade_result.c.assessment_id)
            .where(
                grade_result.c.institution_id == institution_id,
                grade_result.c.student_id == student_id,
            )
            .order_by(grade_result.c.section_id, assessment.c.title, grade_result.c.id)
        )
    )
    history = _rows(
        await session.execute(
            sa.select(grade_change)
            .where(
                grade_change.c.institution_id == institution_id,
                grade_change.c.student_id == student_id,
            )
            .order_by(grade_change.c.at, grade_change.c.id)
        )
    )
    return {"grade_results": results, "grade_history": history}
