"""Keeping a section's gradebook in step with an outside tool (an LMS writing line items and
results back through OneRoster) inside the caller's unit of work.

Assessments and results are changed through their aggregates, so a changed result records
`grades.cell_changed` and the section's teachers see it at once. Results written this way are
drafts: students and guardians see them when a teacher publishes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.grades.domain import (
    EMPTY,
    Assessment,
    Category,
    Editor,
    Flag,
    Gradebook,
    GradingScheme,
    Mark,
    PostPolicy,
    Result,
    SchemeKind,
    Weighting,
    guard_edit,
    plain,
)
from edtech.grades.infrastructure.repositories import (
    SqlAlchemyAssessments,
    SqlAlchemyGradebooks,
    SqlAlchemySchemes,
)
from edtech.grades.infrastructure.roster import InstitutionsRoster
from edtech.grades.infrastructure.tables import grade_result, grade_scheme
from edtech.kernel.errors import FieldProblem, InvalidError, NotFoundError
from edtech.kernel.ids import new_id

DEFAULT_CATEGORY = "General"
POINTS_SCHEME = "Points"


@dataclass(frozen=True)
class ResultView:
    """A result as an outside tool sees it: the draft's points, flags and comment."""

    student_id: uuid.UUID
    points: Decimal | None
    flags: frozenset[str]
    comment: str | None
    published: bool


class GradebookSync:
    """Create and change a section's line items and results on the caller's session."""

    def __init__(
        self, session: AsyncSession, institution_id: uuid.UUID, now: datetime, today: date
    ) -> None:
        self.session, self.institution_id, self.now, self.today = (
            session,
            institution_id,
            now,
            today,
        )
        self.books = SqlAlchemyGradebooks(session)
        self.assessments = SqlAlchemyAssessments(session)
        self.roster = InstitutionsRoster(session, today=today)

    async def categories(self, section_id: uuid.UUID) -> list[Category]:
        book = await self.books.get(self.institution_id, section_id)
        return list(book.categories) if book else []

    async def category(self, section_id: uuid.UUID, name: str | None) -> uuid.UUID:
        """The gradebook's category of this name (created, unweighted, when the section has no
        gradebook yet or lacks it)."""
        wanted = (name or DEFAULT_CATEGORY).strip()
        book = await self.books.get(self.institution_id, section_id)
        if book is None:
            book = Gradebook(
                section_id=section_id,
                institution_id=self.institution_id,
                weighting=Weighting.UNWEIGHTED,
                post_policy=PostPolicy.MANUAL,
                categories=[Category(id=new_id(), name=wanted)],
                updated_at=self.now,
            )
            self.books.add(book)
            await self.session.flush()
            return book.categories[0].id
        for c in book.categories:
            if c.name.lower() == wanted.lower():
                return c.id
        if book.weighting is Weighting.WEIGHTED:
            raise InvalidError(
                "the section's gradebook is weighted: use one of its categories",
                [FieldProblem(("category",), f"no category {wanted!r} in this gradebook")],
            )
        added = Category(id=new_id(), name=wanted)
        book.reconfigure(
            weighting=book.weighting,
            post_policy=book.post_policy,
            total_scheme_id=book.total_scheme_id,
            categories=[*book.categories, added],
            in_use=set(),
            expected_version=None,
        )
        await self.session.flush()
        return added.id

    async def _points_scheme(self) -> uuid.UUID:
        stmt = sa.select(grade_scheme.c.id).where(
            grade_scheme.c.institution_id == self.institution_id,
            grade_scheme.c.kind == SchemeKind.POINTS,
        )
        found: uuid.UUID | None = (await self.session.scalars(stmt.limit(1))).first()
        if found is not None:
            return found
        schemes = SqlAlchemySchemes(self.session)
        name = POINTS_SCHEME
        if await schemes.name_taken(self.institution_id, name):
            name = f"{POINTS_SCHEME} (OneRoster)"
        scheme = GradingScheme(
            id=new_id(),
            institution_id=self.institution_id,
            name=name,
            kind=SchemeKind.POINTS,
            created_at=self.now,
        )
        schemes.add(scheme)
        await self.session.flush()
        return scheme.id

    async def put_assessment(
        self,
        assessment_id: uuid.UUID | None,
        *,
        section_id: uuid.UUID,
        term_id: uuid.UUID,
        title: str,
        max_points: Decimal,
        category: str | None,
        grading_period_id: uuid.UUID | None,
        due_at: datetime | None,
    ) -> uuid.UUID:
        """Create or replace a line item of the section (in today's grading period unless one
        is named)."""
        category_id = await self.category(section_id, category)
        if grading_period_id is None:
            period = await self.roster.current_grading_period(
                self.institution_id, term_id, self.today
            )
            if period is None:
                raise InvalidError(
                    "no grading period of the class's term covers today; name one",
                    [FieldProblem(("gradingPeriod",), "required here")],
                )
            grading_period_id = period.id
        existing = (
            await self.assessments.get(self.institution_id, assessment_id)
            if assessment_id
            else None
        )
        if existing is not None:
            existing.title, existing.max_points = title.strip(), max_points
            existing.category_id, existing.grading_period_id = category_id, grading_period_id
            existing.due_at = due_at
            existing.version += 1
            return existing.id
        created = Assessment(
            id=assessment_id or new_id(),
            institution_id=self.institution_id,
            section_id=section_id,
            category_id=category_id,
            grading_period_id=grading_period_id,
            scheme_id=await self._points_scheme(),
            title=title.strip(),
            max_points=max_points,
            due_at=due_at,
            created_at=self.now,
        )
        self.assessments.add(created)
        await self.session.flush()
        return created.id

    async def assessment(self, assessment_id: uuid.UUID) -> Assessment | None:
        return await self.assessments.get(self.institution_id, assessment_id)

    async def _guard(self, a: Assessment, editor: Editor) -> None:
        """After its grading period closed, an outside tool changes no result of it."""
        period = await self.roster.grading_period(self.institution_id, a.grading_period_id)
        locked = period is not None and period.is_locked(self.today)
        guard_edit(
            locked=locked,
            editor=editor,
            reason=None,
            closes_on=period.closes_on if period else None,
        )

    async def _result(self, a: Assessment, student_id: uuid.UUID) -> Result | None:
        stmt = sa.select(Result).where(
            grade_result.c.institution_id == self.institution_id,
            grade_result.c.assessment_id == a.id,
            grade_result.c.student_id == student_id,
        )
        return (await self.session.scalars(stmt)).first()

    async def put_result(
        self,
        assessment_id: uuid.UUID,
        student_id: uuid.UUID,
        *,
        points: Decimal | None,
        flags: set[str],
        comment: str | None,
        editor: Editor,
    ) -> ResultView:
        """Set the student's draft; a score above the maximum is extra credit."""
        a = await self.assessment(assessment_id)
        if a is None:
            raise NotFoundError("line item not found")
        if student_id not in await self.roster.students_of_section(
            self.institution_id, a.section_id
        ):
            raise InvalidError(
                "the student is not enrolled in the class",
                [FieldProblem(("student",), "not a student of this class")],
            )
        await self._guard(a, editor)
        if points is not None and points < 0:
            raise InvalidError("a score may not be negative", [FieldProblem(("score",), "< 0")])
        marks = {Flag(f) for f in flags}
        if points is not None and points > a.max_points:
            marks.add(Flag.EXTRA_CREDIT)
        mark = Mark(
            points=points,
            entered=None if points is None else plain(points),
            comment=(comment or "").strip() or None,
            flags=frozenset(marks),
        )
        result = await self._result(a, student_id)
        if result is None:
            result = Result(
                id=new_id(),
                institution_id=self.institution_id,
                assessment_id=a.id,
                section_id=a.section_id,
                student_id=student_id,
                updated_at=self.now,
            )
            self.session.add(result)
        result.enter(mark, editor=editor, at=self.now, expected_version=None, reason=None)
        await self.session.flush()
        return _view(result)

    async def clear_result(
        self, assessment_id: uuid.UUID, student_id: uuid.UUID, editor: Editor
    ) -> bool:
        """Empty the student's draft (the history keeps what it was)."""
        a = await self.assessment(assessment_id)
        result = None if a is None else await self._result(a, student_id)
        if a is None or result is None or result.draft == EMPTY:
            return False
        await self._guard(a, editor)
        result.enter(EMPTY, editor=editor, at=self.now, expected_version=None, reason=None)
        return True

    async def result(self, assessment_id: uuid.UUID, student_id: uuid.UUID) -> ResultView | None:
        a = await self.assessment(assessment_id)
        found = None if a is None else await self._result(a, student_id)
        return None if found is None or found.draft == EMPTY else _view(found)


def _view(r: Result) -> ResultView:
    return ResultView(
        student_id=r.student_id,
        points=r.draft.points,
        flags=frozenset(f.value for f in r.draft.flags),
        comment=r.draft.comment,
        published=r.published is not None and r.published == r.draft,
    )
