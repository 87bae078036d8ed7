"""Request and response models for results, publications and the history."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from edtech.grades.api.schemas.setup import Reason
from edtech.grades.domain import (
    Flag,
    Mark,
    Publication,
    PublishScope,
    Result,
)

Value = Decimal | str | None


class ResultIn(BaseModel):
    value: Value = Field(
        default=None,
        description='In the scheme\'s terms: points (8.5), a percent (92), a letter ("B"), '
        '"pass"/"fail"; null clears the score.',
    )
    comment: str | None = Field(default=None, max_length=2000)
    flags: list[Flag] = Field(default_factory=list)
    version: int | None = Field(default=None, description="The version you saw (0: new).")
    reason: str | None = Reason


class BatchItemIn(BaseModel):
    assessment_id: uuid.UUID
    student_id: uuid.UUID
    value: Value = None
    comment: str | None = Field(default=None, max_length=2000)
    flags: list[Flag] = Field(default_factory=list)
    version: int | None = None


class BatchIn(BaseModel):
    items: list[BatchItemIn] = Field(min_length=1, max_length=2000)
    reason: str | None = Reason


class MarkOut(BaseModel):
    points: str | None
    entered: str | None
    comment: str | None
    flags: list[Flag]

    @classmethod
    def of(cls, m: Mark) -> MarkOut:
        return cls.model_validate(m.as_data())


class ResultOut(BaseModel):
    id: uuid.UUID
    assessment_id: uuid.UUID
    student_id: uuid.UUID
    draft: MarkOut
    published: MarkOut | None
    published_at: datetime | None
    unpublished_changes: bool
    version: int

    @classmethod
    def of(cls, r: Result) -> ResultOut:
        return cls(
            id=r.id,
            assessment_id=r.assessment_id,
            student_id=r.student_id,
            draft=MarkOut.of(r.draft),
            published=None if r.published is None else MarkOut.of(r.published),
            published_at=r.published_at,
            unpublished_changes=r.has_unpublished_changes,
            version=r.version,
        )


class PublishIn(BaseModel):
    scope: PublishScope = PublishScope.ALL
    student_ids: list[uuid.UUID] = Field(default_factory=list, max_length=2000)
    reason: str | None = Reason


class PublishedChangeOut(BaseModel):
    student_id: uuid.UUID
    before: MarkOut | None
    after: MarkOut
    summary: list[str]


class PublicationOut(BaseModel):
    id: uuid.UUID
    assessment_id: uuid.UUID
    section_id: uuid.UUID
    scope: PublishScope
    student_ids: list[uuid.UUID]
    published_by: uuid.UUID
    published_by_name: str
    published_at: datetime
    changes: list[PublishedChangeOut] = Field(
        description="What students see differently since the previous publication."
    )

    @classmethod
    def of(cls, p: Publication) -> PublicationOut:
        return cls(
            id=p.id,
            assessment_id=p.assessment_id,
            section_id=p.section_id,
            scope=p.scope,
            student_ids=list(p.student_ids),
            published_by=p.published_by,
            published_by_name=p.published_by_name,
            published_at=p.published_at,
            changes=[PublishedChangeOut.model_validate(c.as_data()) for c in p.changes],
        )


class BatchItemOut(BaseModel):
    index: int
    changed: bool
    result: ResultOut


class BatchOut(BaseModel):
    items: list[BatchItemOut]
    publications: list[PublicationOut] = Field(
        description="Publications made because an assessment posts automatically."
    )


class ChangeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    result_id: uuid.UUID
    assessment_id: uuid.UUID
    student_id: uuid.UUID
    field: str
    before: MarkOut | None
    after: MarkOut
    actor_id: uuid.UUID
    actor_name: str
    reason: str | None
    publication_id: uuid.UUID | None
    at: datetime
