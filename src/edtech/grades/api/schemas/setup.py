"""Request and response models for schemes, gradebooks and assessments."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, Field

from edtech.grades.domain import (
    Assessment,
    Gradebook,
    GradingScheme,
    PostPolicy,
    SchemeKind,
    Weighting,
    plain,
)
from edtech.platform.http.types import BoundedDatetime

Reason = Field(
    default=None,
    max_length=500,
    description="Why: required to change a closed grading period, recorded in the history.",
)


class BandIn(BaseModel):
    letter: str = Field(min_length=1, max_length=8)
    min_percent: Decimal = Field(description="Lowest percentage that earns the letter.")
    value_percent: Decimal | None = Field(
        default=None, description="What entering the letter counts as (default: min_percent)."
    )


class SchemeIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    kind: SchemeKind
    bands: list[BandIn] = Field(default_factory=list, max_length=50)
    pass_percent: Decimal | None = None


class BandOut(BaseModel):
    letter: str
    min_percent: str
    value_percent: str | None


class SchemeOut(BaseModel):
    id: uuid.UUID
    name: str
    kind: SchemeKind
    bands: list[BandOut]
    pass_percent: str | None

    @classmethod
    def of(cls, s: GradingScheme) -> SchemeOut:
        return cls(
            id=s.id,
            name=s.name,
            kind=s.kind,
            bands=[
                BandOut(
                    letter=b.letter,
                    min_percent=plain(b.min_percent),
                    value_percent=None if b.value_percent is None else plain(b.value_percent),
                )
                for b in s.bands
            ],
            pass_percent=None if s.pass_percent is None else plain(s.pass_percent),
        )


class CategoryIn(BaseModel):
    id: uuid.UUID | None = Field(default=None, description="Keep an existing category.")
    name: str = Field(min_length=1, max_length=100)
    weight_ppm: int = Field(default=0, description="Weight in parts per million (400000 = 40 %).")
    drop_lowest: int = 0


class GradebookIn(BaseModel):
    weighting: Weighting = Weighting.WEIGHTED
    post_policy: PostPolicy = PostPolicy.MANUAL
    total_scheme_id: uuid.UUID | None = None
    categories: list[CategoryIn] = Field(max_length=50)
    version: int | None = Field(default=None, description="The version you saw (0: none yet).")


class CategoryOut(BaseModel):
    id: uuid.UUID
    name: str
    weight_ppm: int
    drop_lowest: int


class GradebookOut(BaseModel):
    section_id: uuid.UUID
    weighting: Weighting
    post_policy: PostPolicy
    total_scheme_id: uuid.UUID | None
    categories: list[CategoryOut]
    version: int

    @classmethod
    def of(cls, b: Gradebook) -> GradebookOut:
        return cls(
            section_id=b.section_id,
            weighting=b.weighting,
            post_policy=b.post_policy,
            total_scheme_id=b.total_scheme_id,
            categories=[
                CategoryOut(
                    id=c.id, name=c.name, weight_ppm=c.weight_ppm, drop_lowest=c.drop_lowest
                )
                for c in b.categories
            ],
            version=b.version,
        )


class AssessmentIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    category_id: uuid.UUID
    grading_period_id: uuid.UUID
    scheme_id: uuid.UUID
    max_points: Decimal
    due_at: BoundedDatetime | None = None
    post_policy: PostPolicy | None = Field(
        default=None, description="Null follows the gradebook's default."
    )
    reason: str | None = Reason


class AssessmentPatchIn(BaseModel):
    title: str | None = Field(default=None, min_length=1, max_length=200)
    category_id: uuid.UUID | None = None
    max_points: Decimal | None = None
    due_at: BoundedDatetime | None = None
    post_policy: PostPolicy | None = None
    version: int | None = None
    reason: str | None = Reason


class AssessmentOut(BaseModel):
    id: uuid.UUID
    section_id: uuid.UUID
    category_id: uuid.UUID
    grading_period_id: uuid.UUID
    scheme_id: uuid.UUID
    title: str
    max_points: str
    due_at: datetime | None
    post_policy: PostPolicy | None
    version: int
    created_at: datetime

    @classmethod
    def of(cls, a: Assessment) -> AssessmentOut:
        return cls(
            id=a.id,
            section_id=a.section_id,
            category_id=a.category_id,
            grading_period_id=a.grading_period_id,
            scheme_id=a.scheme_id,
            title=a.title,
            max_points=plain(a.max_points),
            due_at=a.due_at,
            post_policy=a.post_policy,
            version=a.version,
            created_at=a.created_at,
        )
