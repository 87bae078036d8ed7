"""Use case: add an assessment to a section's gradebook."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from edtech.grades.application.common import check_period, require_gradebook_manager
from edtech.grades.application.ports import RosterFactory
from edtech.grades.domain import Assessment, PostPolicy, assessment_problems
from edtech.grades.infrastructure.repositories import (
    SqlAlchemyAssessments,
    SqlAlchemyGradebooks,
    SqlAlchemySchemes,
)
from edtech.kernel.clock import Clock
from edtech.kernel.errors import FieldProblem, InvalidError
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork


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


class CreateAssessment:
    """Add an assessment to a configured gradebook, in one of its categories and a grading
    period that has not closed (admins may, with a reason)."""

    def __init__(self, uow: UnitOfWork, clock: Clock, roster: RosterFactory) -> None:
        self.uow = uow
        self.clock = clock
        self.roster = roster

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
            problems += check_period(
                period, editor, await roster.today(principal.institution_id), draft.reason
            )
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
            SqlAlchemyAssessments(uow.session).add(created)
            await uow.commit()
        return created
