"""Response models of the read views: totals, the grid, students' grades."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from edtech.grades.api.schemas.results import MarkOut
from edtech.grades.api.schemas.setup import AssessmentOut
from edtech.grades.domain import (
    Total,
    Weighting,
)


class LineOut(BaseModel):
    assessment_id: uuid.UUID
    title: str
    points: str | None
    max_points: str
    status: str


class CategoryTotalOut(BaseModel):
    category_id: uuid.UUID
    name: str
    weight_ppm: int
    drop_lowest: int
    points: str
    max_points: str
    percent: str | None
    assessments: list[LineOut]


class TotalOut(BaseModel):
    """A total and its derivation: categories, weights, drops, exclusions, and one sentence."""

    percent: str | None
    letter: str | None
    weighting: Weighting
    text: str = Field(description='e.g. "87.3 % = 0.4 × Homework 91.0 + 0.6 × Tests 85.2"')
    rounding: str
    categories: list[CategoryTotalOut]

    @classmethod
    def of(cls, t: Total) -> TotalOut:
        return cls.model_validate(t.as_data())


class CellOut(BaseModel):
    assessment_id: uuid.UUID
    result_id: uuid.UUID | None
    draft: MarkOut | None
    published: MarkOut | None
    unpublished_changes: bool
    version: int


class GridRowOut(BaseModel):
    student_id: uuid.UUID
    student_name: str
    cells: list[CellOut]
    teacher_total: str | None
    published_total: str | None


class GridPage(BaseModel):
    """Students × assessments: one page of students, every (filtered) assessment as a column."""

    assessments: list[AssessmentOut]
    items: list[GridRowOut]
    total: int
    limit: int
    offset: int
    next: str | None = None


class StudentResultOut(BaseModel):
    assessment_id: uuid.UUID
    title: str
    category_id: uuid.UUID
    max_points: str
    due_at: datetime | None
    published: MarkOut | None
    published_at: datetime | None
    draft: MarkOut | None = Field(default=None, description="Teachers' view only.")


class StudentGradesOut(BaseModel):
    section_id: uuid.UUID
    student_id: uuid.UUID
    grading_period_id: uuid.UUID | None
    results: list[StudentResultOut]
    total: TotalOut = Field(description="What the student and guardians see: published only.")
    teacher_total: TotalOut | None = Field(
        default=None, description="Drafts included (teachers' view only)."
    )


class StudentOverviewOut(BaseModel):
    student_id: uuid.UUID
    sections: list[StudentGradesOut]
