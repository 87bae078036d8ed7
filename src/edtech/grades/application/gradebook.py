"""Use cases: configure a section's gradebook, and create or change its assessments."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from edtech.grades.application.access import require_gradebook_manager
from edtech.grades.application.ports import RosterFactory
from edtech.grades.domain import (
    Assessment,
    Category,
    Editor,
    Gradebook,
    GradingPeriod,
    PostPolicy,
    Weighting,
    assessment_problems,
    check_version,
    guard_edit,
)
from edtech.grades.infrastructure.repositories import (
    SqlAlchemyAssessments,
    SqlAlchemyGradebooks,
    SqlAlchemySchemes,
)
from edtech.kernel.clock import Clock
from edtech.kernel.errors import FieldProblem, InvalidError, NotFoundError
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork


@dataclass(frozen=True)
class CategoryEntry:
    name: str
    weight_ppm: int = 0
    drop_lowest: int = 0
    id: uuid.UUID | None = None


@dataclass(frozen=True)
class GradebookSetup:
    weighting: Weighting
    post_policy: PostPolicy
    categories: list[CategoryEntry]
    total_scheme_id: uuid.UUID | None = None
    expected_version: int | None = None


class ConfigureGradebook:
    """Set a section's weighting, default post policy, total scheme and categories at once.

    In a weighted gradebook the category weights sum to exactly 100 % (1,000,000 ppm); a
    category that has assessments cannot be removed.
    """

    def __init__(self, uow: UnitOfWork, roster: RosterFactory, clock: Clock) -> None:
        self.uow = uow
        self.roster = roster
        self.clock = clock

    async def __call__(
        self, principal: Principal, section_id: uuid.UUID, setup: GradebookSetup
    ) -> Gradebook:
        async with self.uow as uow:
            await require_gradebook_manager(self.roster(uow.session), principal, section_id)
            books = SqlAlchemyGradebooks(uow.session)
            book = await books.get(principal.institution_id, section_id)
            problems: list[FieldProblem] = []
            if setup.total_scheme_id is not None and (
                await SqlAlchemySchemes(uow.session).get(
                    principal.institution_id, setup.total_scheme_id
                )
                is None
            ):
                problems.append(FieldProblem(("total_scheme_id",), "no such grading scheme"))
            known = {c.id for c in book.categories} if book else set()
            categories = []
            for i, entry in enumerate(setup.categories):
                if entry.id is not None and entry.id not in known:
                    problems.append(
                        FieldProblem(("categories", i, "id"), "not a category of this gradebook")
                    )
                categories.append(
                    Category(
                        id=entry.id or new_id(),
                        name=entry.name,
                        weight_ppm=entry.weight_ppm,
                        drop_lowest=entry.drop_lowest,
                    )
                )
            if problems:
                raise InvalidError("invalid gradebook", problems)
            if book is None:
                check_version(setup.expected_version, 0, "the gradebook")
                book = Gradebook(
                    section_id=section_id,
                    institution_id=principal.institution_id,
                    weighting=setup.weighting,
                    post_policy=setup.post_policy,
                    total_scheme_id=setup.total_scheme_id,
                    categories=categories,
                )
            else:
                book.reconfigure(
                    weighting=setup.weighting,
                    post_policy=setup.post_policy,
                    total_scheme_id=setup.total_scheme_id,
                    categories=categories,
                    in_use=await books.categories_in_use(section_id),
                    expected_version=setup.expected_version,
                )
            await books.save(book, self.clock.now())
            await uow.commit()
        return book


@dataclass(frozen=True)
class AssessmentDraft:
    title: str
    category_id: uuid.UUID
    grading_period_id: uuid.UUID
    scheme_id: uuid.UUID
    max_points: Decimal
    due_at: datetime | None = None
    post_policy: PostPolicy | None = None
    reason: str | None = None


def _check_period(
    period: GradingPeriod | None, editor: Editor, today: date, reason: str | None
) -> list[FieldProblem]:
    """The period must exist; once it closed, only an admin changes its gradebook, with a reason."""
    if period is None:
        return [FieldProblem(("grading_period_id",), "no such grading period")]
    guard_edit(
        locked=period.is_locked(today), editor=editor, reason=reason, closes_on=period.closes_on
    )
    return []


class CreateAssessment:
    """Add an assessment to a configured gradebook, in one of its categories and a grading
    period that has not closed (admins may, with a reason)."""

    def __init__(self, uow: UnitOfWork, roster: RosterFactory, clock: Clock) -> None:
        self.uow = uow
        self.roster = roster
        self.clock = clock

    async def __call__(
        self, principal: Principal, section_id: uuid.UUID, draft: AssessmentDraft
    ) -> Assessment:
        now = self.clock.now()
        async with self.uow as uow:
            roster = self.roster(uow.session)
            editor = await require_gradebook_manager(roster, principal, section_id)
            book = await SqlAlchemyGradebooks(uow.session).get(principal.institution_id, section_id)
            if book is None:
                raise InvalidError(
                    "configure the section's gradebook (categories) before adding assessments",
                    [FieldProblem(("category_id",), "the section has no gradebook yet")],
                )
            problems = assessment_problems(draft.title, draft.max_points)
            if book.category(draft.category_id) is None:
                problems.append(FieldProblem(("category_id",), "not a category of this gradebook"))
            if (
                await SqlAlchemySchemes(uow.session).get(principal.institution_id, draft.scheme_id)
                is None
            ):
                problems.append(FieldProblem(("scheme_id",), "no such grading scheme"))
            period = await roster.grading_period(principal.institution_id, draft.grading_period_id)
            problems += _check_period(period, editor, now.date(), draft.reason)
            if problems:
                raise InvalidError("invalid assessment", problems)
            created = Assessment(
                id=new_id(),
                institution_id=principal.institution_id,
                section_id=section_id,
                category_id=draft.category_id,
                grading_period_id=draft.grading_period_id,
                scheme_id=draft.scheme_id,
                title=draft.title.strip(),
                max_points=draft.max_points,
                due_at=draft.due_at,
                post_policy=draft.post_policy,
                created_at=now,
            )
            await SqlAlchemyAssessments(uow.session).add(created)
            await uow.commit()
        return created


@dataclass(frozen=True)
class AssessmentPatch:
    """Only the fields named in `fields` change (so `post_policy` can be set back to None)."""

    fields: frozenset[str]
    values: dict[str, Any] = field(default_factory=dict)
    expected_version: int | None = None
    reason: str | None = None


PATCHABLE = frozenset({"title", "category_id", "max_points", "due_at", "post_policy"})


class UpdateAssessment:
    """Change an assessment's title, category, maximum, due date or post policy.

    The change is based on the version the teacher saw; a closed grading period's assessments
    change only by an admin, with a reason.
    """

    def __init__(self, uow: UnitOfWork, roster: RosterFactory, clock: Clock) -> None:
        self.uow = uow
        self.roster = roster
        self.clock = clock

    async def __call__(
        self, principal: Principal, assessment_id: uuid.UUID, patch: AssessmentPatch
    ) -> Assessment:
        async with self.uow as uow:
            roster = self.roster(uow.session)
            assessments = SqlAlchemyAssessments(uow.session)
            found = await assessments.get(principal.institution_id, assessment_id)
            if found is None:
                raise NotFoundError("assessment not found")
            editor = await require_gradebook_manager(roster, principal, found.section_id)
            check_version(patch.expected_version, found.version, "the assessment")
            period = await roster.grading_period(principal.institution_id, found.grading_period_id)
            _check_period(period, editor, self.clock.now().date(), patch.reason)
            values = {k: v for k, v in patch.values.items() if k in patch.fields & PATCHABLE}
            required = [
                FieldProblem((name,), "may not be null")
                for name in ("title", "category_id", "max_points")
                if name in values and values[name] is None
            ]
            if required:
                raise InvalidError("invalid assessment", required)
            title = values.get("title", found.title)
            max_points = values.get("max_points", found.max_points)
            problems = assessment_problems(title, max_points)
            if "category_id" in values:
                book = await SqlAlchemyGradebooks(uow.session).get(
                    principal.institution_id, found.section_id
                )
                if book is None or book.category(values["category_id"]) is None:
                    problems.append(
                        FieldProblem(("category_id",), "not a category of this gradebook")
                    )
            if problems:
                raise InvalidError("invalid assessment", problems)
            for name, value in values.items():
                setattr(found, name, value.strip() if name == "title" else value)
            found.version += 1
            await assessments.save(found)
            await uow.commit()
        return found
