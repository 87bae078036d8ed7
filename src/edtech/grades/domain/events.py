"""Events of the grades slice (past tense; their `type` is part of the channel contract)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, ClassVar

from edtech.kernel.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class CellChanged(DomainEvent):
    """A teacher changed a result's draft (or it was published): co-teachers' grids update live."""

    type: ClassVar[str] = "grades.cell_changed"
    section_id: uuid.UUID
    assessment_id: uuid.UUID
    student_id: uuid.UUID
    draft: dict[str, Any]
    published: dict[str, Any] | None
    version: int
    editor_id: uuid.UUID
    editor_name: str


@dataclass(frozen=True, kw_only=True)
class GradesPublished(DomainEvent):
    """A student's result became visible: sent to the student and to each entitled guardian.

    `recipients` (the student and guardians with `can_view_grades` and no custody restriction)
    routes the event and is not part of its payload.
    """

    type: ClassVar[str] = "grades.published"
    section_id: uuid.UUID
    assessment_id: uuid.UUID
    assessment_title: str
    publication_id: uuid.UUID
    student_id: uuid.UUID
    result: dict[str, Any]
    previous: dict[str, Any] | None
    changes: list[str]
    total: dict[str, Any]
    recipients: tuple[uuid.UUID, ...] = field(default=())

    _not_in_payload: ClassVar[tuple[str, ...]] = ("recipients",)


@dataclass(frozen=True, kw_only=True)
class AssessmentPublished(DomainEvent):
    """An assessment was published (to all, graded-only or chosen students): for co-teachers."""

    type: ClassVar[str] = "grades.assessment_published"
    section_id: uuid.UUID
    assessment_id: uuid.UUID
    publication_id: uuid.UUID
    scope: str
    published_by: uuid.UUID
    published_by_name: str
    changes: list[dict[str, Any]]
