"""Publication: making drafts visible to students and families, with a record of what changed."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from edtech.grades.domain.events import AssessmentPublished, GradesPublished
from edtech.grades.domain.results import Change, Result, describe_change
from edtech.grades.domain.schemes import plain
from edtech.kernel.errors import FieldProblem, InvalidError
from edtech.kernel.events import Aggregate


class PublishScope(enum.StrEnum):
    """Publish every result, only results that are graded, or the chosen students' results."""

    ALL = "all"
    GRADED = "graded"
    STUDENTS = "students"


@dataclass(frozen=True)
class PublishedChange:
    """What one student sees differently after a publication, compared with the last one."""

    student_id: uuid.UUID
    change: Change

    @property
    def summary(self) -> list[str]:
        return describe_change(self.change.before, self.change.after)

    def as_data(self) -> dict[str, Any]:
        before = self.change.before
        return {
            "student_id": str(self.student_id),
            "before": None if before is None else before.as_data(),
            "after": self.change.after.as_data(),
            "summary": self.summary,
        }


@dataclass(eq=False, kw_only=True)
class Publication(Aggregate):
    """One publication of an assessment: who, when, to whom, and what changed since the last one."""

    id: uuid.UUID
    institution_id: uuid.UUID
    assessment_id: uuid.UUID
    section_id: uuid.UUID
    scope: PublishScope
    student_ids: tuple[uuid.UUID, ...]
    published_by: uuid.UUID
    published_by_name: str
    published_at: datetime
    idempotency_key: str | None
    changes: tuple[PublishedChange, ...]

    def announce(
        self,
        *,
        assessment_title: str,
        max_points: Decimal,
        totals: dict[uuid.UUID, dict[str, Any]],
        guardians: dict[uuid.UUID, list[uuid.UUID]],
    ) -> None:
        """Tell each student whose visible result changed, and their entitled guardians, with
        the new published total (`totals`, per student); then the section's teachers. A
        publication that changed nothing tells nobody."""
        if not self.changes:
            return
        for change in self.changes:
            before = change.change.before
            self.record(
                GradesPublished(
                    institution_id=self.institution_id,
                    occurred_at=self.published_at,
                    section_id=self.section_id,
                    assessment_id=self.assessment_id,
                    assessment_title=assessment_title,
                    publication_id=self.id,
                    student_id=change.student_id,
                    result={**change.change.after.as_data(), "max_points": plain(max_points)},
                    previous=None if before is None else before.as_data(),
                    changes=change.summary,
                    total=totals[change.student_id],
                    recipients=(change.student_id, *guardians[change.student_id]),
                )
            )
        self.record(
            AssessmentPublished(
                institution_id=self.institution_id,
                occurred_at=self.published_at,
                section_id=self.section_id,
                assessment_id=self.assessment_id,
                publication_id=self.id,
                scope=self.scope.value,
                published_by=self.published_by,
                published_by_name=self.published_by_name,
                changes=[c.as_data() for c in self.changes],
            )
        )


NAME_MAX = 200
"""The longest name a publication or a change keeps of who made it: a given and a family
name of 100 characters each, with their space, are 201."""


def stored_name(name: str) -> str:
    """`name` as kept on a publication or a change: at most `NAME_MAX` characters."""
    return name if len(name) <= NAME_MAX else name[: NAME_MAX - 1] + "…"


def select_results(
    results: list[Result], scope: PublishScope, chosen: list[uuid.UUID]
) -> list[Result]:
    """The results a publication covers; every chosen student must have a result."""
    if scope is PublishScope.ALL:
        return list(results)
    if scope is PublishScope.GRADED:
        return [r for r in results if r.draft.graded]
    if not chosen:
        raise InvalidError(
            "choose at least one student",
            [FieldProblem(("student_ids",), "required when scope is 'students'")],
        )
    by_student = {r.student_id: r for r in results}
    problems = [
        FieldProblem(("student_ids", i), f"student {sid} has no result on this assessment")
        for i, sid in enumerate(chosen)
        if sid not in by_student
    ]
    if problems:
        raise InvalidError("some chosen students have no result", problems)
    return [by_student[sid] for sid in dict.fromkeys(chosen)]


def publish(
    *,
    publication_id: uuid.UUID,
    institution_id: uuid.UUID,
    assessment_id: uuid.UUID,
    section_id: uuid.UUID,
    results: list[Result],
    scope: PublishScope,
    chosen: list[uuid.UUID],
    by: uuid.UUID,
    by_name: str,
    at: datetime,
    idempotency_key: str | None,
    reason: str | None = None,
) -> Publication:
    """Publish the covered results at once; results already visible as drafted stay unchanged."""
    changes: list[PublishedChange] = []
    for result in select_results(results, scope, chosen):
        change = result.publish(at=at, by=by, reason=reason)
        if change is not None:
            changes.append(PublishedChange(result.student_id, change))
    return Publication(
        id=publication_id,
        institution_id=institution_id,
        assessment_id=assessment_id,
        section_id=section_id,
        scope=scope,
        student_ids=tuple(chosen) if scope is PublishScope.STUDENTS else (),
        published_by=by,
        published_by_name=stored_name(by_name),
        published_at=at,
        idempotency_key=idempotency_key,
        changes=tuple(changes),
    )
