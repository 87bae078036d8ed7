"""Realtime: the co-teachers' live gradebook `grades.section.{id}`, and where grade events go.

Drafts travel only on the section channel (its teachers); students and guardians hear of a
grade on their own `user.{id}` inbox when it is published, never before.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel, Field

from edtech.grades.domain import AssessmentPublished, CellChanged, GradesPublished
from edtech.grades.infrastructure.roster import InstitutionsRoster
from edtech.kernel.principal import Principal
from edtech.realtime.public import AuthorizationContext, ChannelType, Registrar, inbox


class MarkData(BaseModel):
    points: str | None
    entered: str | None
    comment: str | None
    flags: list[str]


class CellChangedData(BaseModel):
    section_id: uuid.UUID
    assessment_id: uuid.UUID
    student_id: uuid.UUID
    draft: MarkData
    published: MarkData | None
    version: int
    editor_id: uuid.UUID
    editor_name: str


class ChangeData(BaseModel):
    student_id: uuid.UUID
    before: MarkData | None
    after: MarkData
    summary: list[str]


class AssessmentPublishedData(BaseModel):
    section_id: uuid.UUID
    assessment_id: uuid.UUID
    publication_id: uuid.UUID
    scope: str
    published_by: uuid.UUID
    published_by_name: str
    changes: list[ChangeData]


class ResultData(MarkData):
    max_points: str


class GradesPublishedData(BaseModel):
    """A student's newly visible result, on the student's and entitled guardians' inboxes."""

    section_id: uuid.UUID
    assessment_id: uuid.UUID
    assessment_title: str
    publication_id: uuid.UUID
    student_id: uuid.UUID
    result: ResultData
    previous: MarkData | None
    changes: list[str]
    total: dict[str, Any] = Field(
        description="The student's published total in the section, as the gradebook shows it."
    )


async def teachers_of_the_section(
    principal: Principal, params: Mapping[str, uuid.UUID], ctx: AuthorizationContext
) -> bool:
    """Only the section's teachers and aides (today) watch its gradebook live."""
    roster = InstitutionsRoster(ctx.session, clock=ctx.clock)
    return await roster.teaches_section(principal, params["id"])


SECTION_GRADEBOOK = ChannelType(
    pattern="grades.section.{id}",
    authorize=teachers_of_the_section,
    description=(
        "A section's live gradebook for its teachers: every cell change (draft and published, "
        "with the editor's name) and every publication with what changed. Durable."
    ),
    durable=True,
    history_size=500,
    events={
        CellChanged.type: CellChangedData,
        AssessmentPublished.type: AssessmentPublishedData,
    },
)


def _section(event: CellChanged | AssessmentPublished) -> Iterable[str]:
    return [SECTION_GRADEBOOK.name(id=event.section_id)]


def _inboxes(event: GradesPublished) -> Iterable[str]:
    return [inbox(person) for person in dict.fromkeys(event.recipients)]


def register(registry: Registrar) -> None:
    registry.add(SECTION_GRADEBOOK)
    registry.route(CellChanged, _section)
    registry.route(AssessmentPublished, _section)
    registry.route(GradesPublished, _inboxes)
    registry.describe("user.{id}", {GradesPublished.type: GradesPublishedData})
