"""Use case: change an assessment's title, category, maximum, due date or post policy."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from edtech.grades.application.common import check_period, require_gradebook_manager
from edtech.grades.application.ports import RosterFactory
from edtech.grades.domain import Assessment, assessment_problems, check_version
from edtech.grades.infrastructure.repositories import (
    SqlAlchemyAssessments,
    SqlAlchemyGradebooks,
    conflicts_as,
)
from edtech.kernel.clock import Clock
from edtech.kernel.errors import FieldProblem, InvalidError, NotFoundError
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork


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

    def __init__(self, uow: UnitOfWork, clock: Clock, roster: RosterFactory) -> None:
        self.uow = uow
        self.clock = clock
        self.roster = roster

    async def __call__(
        self, principal: Principal, assessment_id: uuid.UUID, patch: AssessmentPatch
    ) -> Assessment:
        async with self.uow as uow, conflicts_as("the assessment"):
            roster = self.roster(uow.session)
            found = await SqlAlchemyAssessments(uow.session).get(
                principal.institution_id, assessment_id
            )
            if found is None:
                raise NotFoundError("assessment not found")
            editor = await require_gradebook_manager(roster, principal, found.section_id)
            check_version(patch.expected_version, found.version, "the assessment")
            period = await roster.grading_period(principal.institution_id, found.grading_period_id)
            check_period(period, editor, await roster.today(principal.institution_id), patch.reason)
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
            await uow.commit()
        return found
