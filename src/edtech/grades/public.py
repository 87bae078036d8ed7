"""What other parts of the system may use from grades: the demo seeding, a student's published
report (report cards) and their record (record packages), the gradebook as an outside tool
writes it (OneRoster line items and results), and each course's published total with its
missing work and the publication event (early-warning signals)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from edtech.grades.domain import (
    Assessment,
    Category,
    Editor,
    Flag,
    Gradebook,
    GradesPublished,
    GradingScheme,
    LetterBand,
    Mark,
    PostPolicy,
    Result,
    SchemeKind,
    Weighting,
    plain,
)
from edtech.grades.infrastructure.exports import (
    ReportLine,
    SectionReport,
    published_report,
    student_grades_record,
)
from edtech.grades.infrastructure.loading import load_section_book
from edtech.grades.infrastructure.queries import published_sections_of_students
from edtech.grades.infrastructure.repositories import (
    SqlAlchemyAssessments,
    SqlAlchemyGradebooks,
    SqlAlchemyResults,
    SqlAlchemySchemes,
)
from edtech.grades.infrastructure.roster import InstitutionsRoster
from edtech.grades.infrastructure.sync import GradebookSync, ResultView
from edtech.kernel.clock import FixedClock
from edtech.kernel.ids import new_id

__all__ = [
    "CourseTotal",
    "Editor",
    "GradebookSync",
    "GradesPublished",
    "ReportLine",
    "ResultView",
    "SectionReport",
    "published_course_totals",
    "published_report",
    "seed_demo",
    "student_grades_record",
]


@dataclass(frozen=True)
class CourseTotal:
    """A student's published total in one section (what they and their guardians see; None
    while nothing counts) and the published results flagged missing (assessment ids)."""

    section_id: uuid.UUID
    percent: Decimal | None
    missing: tuple[uuid.UUID, ...]


async def published_course_totals(
    session: AsyncSession, institution_id: uuid.UUID, student_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[CourseTotal]]:
    """For each of the students, every section where they have a published result (in section
    id order): its published total over all grading periods and its missing work; drafts never
    count. Set-based: one read of the sections, then each section's book once for all of its
    students (a class's publication is a fixed number of statements, not a few per student)."""
    out: dict[uuid.UUID, list[CourseTotal]] = {}
    sections = await published_sections_of_students(session, institution_id, student_ids)
    for section_id, students in sections.items():
        book = await load_section_book(session, institution_id, section_id, student_ids=students)
        for student_id in students:
            missing = []
            for a in book.assessments:
                r = book.results.get((a.id, student_id))
                if r is not None and r.published is not None and Flag.MISSING in r.published.flags:
                    missing.append(a.id)
            total = book.total(student_id, published=True)
            out.setdefault(student_id, []).append(
                CourseTotal(section_id, total.percent, tuple(missing))
            )
    return out


LETTERS = (("A", 90), ("B", 80), ("C", 70), ("D", 60), ("F", 0))
DEMO_ASSESSMENTS = (
    # title, category, max points, days from now until due
    ("Homework 1: fractions", "Homework", "10", -14),
    ("Homework 2: decimals", "Homework", "10", -7),
    ("Unit test 1", "Tests", "50", -3),
)


async def seed_demo(session_factory: async_sessionmaker[AsyncSession], summary: Any) -> bool:
    """Give teacher1's first section a weighted gradebook (Homework 40 %, Tests 60 %, letter
    total), three assessments in the current grading period and draft results for every
    student, nothing published yet, so a newcomer can publish and watch guardian1's inbox.

    `summary` is the `edtech.demo.DemoSummary`. Idempotent: returns False if already seeded.
    """
    institution_id = summary.institution_id
    section_id = summary.section_ids[0]
    now = datetime.now(UTC)
    async with session_factory() as session:
        books = SqlAlchemyGradebooks(session)
        if await books.get(institution_id, section_id) is not None:
            return False
        roster = InstitutionsRoster(session, clock=FixedClock(now))
        today = await roster.today(institution_id)
        period = await roster.current_grading_period(institution_id, summary.term_id, today)
        if period is None:
            return False
        schemes = SqlAlchemySchemes(session)
        letters = GradingScheme(
            id=new_id(),
            institution_id=institution_id,
            name="Letters A–F",
            kind=SchemeKind.LETTER,
            bands=tuple(LetterBand(letter, Decimal(low)) for letter, low in LETTERS),
            created_at=now,
        )
        points = GradingScheme(
            id=new_id(),
            institution_id=institution_id,
            name="Points",
            kind=SchemeKind.POINTS,
            created_at=now,
        )
        for scheme in (letters, points):
            if not await schemes.name_taken(institution_id, scheme.name):
                schemes.add(scheme)
        # no relationship() ties gradebooks, assessments and schemes together, so the flush
        # would not order their INSERTs by foreign key: flush each layer before the next
        await session.flush()
        categories = {
            "Homework": Category(id=new_id(), name="Homework", weight_ppm=400_000),
            "Tests": Category(id=new_id(), name="Tests", weight_ppm=600_000),
        }
        books.add(
            Gradebook(
                section_id=section_id,
                institution_id=institution_id,
                weighting=Weighting.WEIGHTED,
                post_policy=PostPolicy.MANUAL,
                total_scheme_id=letters.id,
                categories=list(categories.values()),
                updated_at=now,
            )
        )
        await session.flush()
        assessments = SqlAlchemyAssessments(session)
        results = SqlAlchemyResults(session)
        students = await roster.students_of_section(institution_id, section_id)
        for n, (title, category, max_points, due_in) in enumerate(DEMO_ASSESSMENTS):
            a = Assessment(
                id=new_id(),
                institution_id=institution_id,
                section_id=section_id,
                category_id=categories[category].id,
                grading_period_id=period.id,
                scheme_id=points.id,
                title=title,
                max_points=Decimal(max_points),
                due_at=now + timedelta(days=due_in),
                created_at=now,
            )
            assessments.add(a)
            for i, student_id in enumerate(students):
                top = Decimal(max_points)
                score = top - Decimal((i * 3 + n * 2) % 5) * top / 10
                results.add(
                    Result(
                        id=new_id(),
                        institution_id=institution_id,
                        assessment_id=a.id,
                        section_id=section_id,
                        student_id=student_id,
                        draft=Mark(points=score, entered=plain(score)),
                        version=1,
                        updated_at=now,
                        updated_by=summary.teacher1_id,
                    )
                )
        await session.commit()
    return True
