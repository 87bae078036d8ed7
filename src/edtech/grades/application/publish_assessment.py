"""Use case: publish an assessment to all, graded-only or chosen students."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from edtech.grades.application.common import publish_results, require_gradebook_manager
from edtech.grades.application.ports import RosterFactory
from edtech.grades.domain import Publication, PublishScope, guard_edit
from edtech.grades.infrastructure.repositories import (
    SqlAlchemyAssessments,
    SqlAlchemyResults,
    conflicts_as,
)
from edtech.kernel.clock import Clock
from edtech.kernel.errors import NotFoundError
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork

BeforeCommit = Callable[[AsyncSession, Publication], Awaitable[None]]
"""Runs in the publication's transaction just before commit (stores an idempotent response)."""


@dataclass(frozen=True)
class PublishRequest:
    scope: PublishScope = PublishScope.ALL
    student_ids: list[uuid.UUID] = field(default_factory=list)
    reason: str | None = None


class PublishAssessment:
    """Make an assessment's drafts visible, as one transaction, with a publication record of
    who published, when, and what changed since the last publication.

    Students and their guardians (with `can_view_grades`, no custody restriction) are told
    at once, with the new total; the section's teachers see the publication live. Results
    students already see as drafted are left alone, so publishing twice changes nothing.
    In a closed grading period only an admin may publish, with a reason.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, roster: RosterFactory) -> None:
        self.uow = uow
        self.clock = clock
        self.roster = roster

    async def __call__(
        self,
        principal: Principal,
        assessment_id: uuid.UUID,
        request: PublishRequest,
        *,
        idempotency_key: str | None = None,
        before_commit: BeforeCommit | None = None,
    ) -> Publication:
        now = self.clock.now()
        async with self.uow as uow, conflicts_as("a result"):
            roster = self.roster(uow.session)
            iid = principal.institution_id
            assessment = await SqlAlchemyAssessments(uow.session).get(iid, assessment_id)
            if assessment is None:
                raise NotFoundError("assessment not found")
            editor = await require_gradebook_manager(roster, principal, assessment.section_id)
            period = await roster.grading_period(iid, assessment.grading_period_id)
            if period is not None:
                guard_edit(
                    locked=period.is_locked(await roster.today(iid)),
                    editor=editor,
                    reason=request.reason,
                    closes_on=period.closes_on,
                )
            results = await SqlAlchemyResults(uow.session).for_assessments(iid, [assessment_id])
            publication = await publish_results(
                uow,
                roster,
                assessment=assessment,
                results=results,
                scope=request.scope,
                chosen=request.student_ids,
                editor=editor,
                at=now,
                idempotency_key=idempotency_key,
                reason=request.reason,
            )
            if before_commit is not None:
                await before_commit(uow.session, publication)
            await uow.commit()
        return publication
