"""The calendar's request and response schemas."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from edtech.calendar.domain import MAX_LABELS, MAX_PERIODS, MAX_REASON, DayKind
from edtech.platform.http.types import BoundedDate

Name = Annotated[str, Field(min_length=1, max_length=100)]
Label = Annotated[str, Field(min_length=1, max_length=16, pattern=r"^[A-Za-z0-9][A-Za-z0-9 _-]*$")]
PeriodName = Annotated[str, Field(min_length=1, max_length=32)]


class In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DayIn(In):
    """A holiday or closure (no sessions; those already planned are cancelled), or an early
    release (a school day on another bell schedule of the school)."""

    kind: DayKind
    reason: Annotated[str, Field(min_length=1, max_length=MAX_REASON)]
    school_id: uuid.UUID
    day: BoundedDate | None = Field(None, description="Default: today at the school.")
    bell_schedule_id: uuid.UUID | None = Field(None, description="An early release's schedule.")


class DayOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    school_id: uuid.UUID | None
    day: date
    kind: DayKind
    reason: str
    bell_schedule_id: uuid.UUID | None
    declared_at: datetime
    declared_by: uuid.UUID | None


class DeclaredDayOut(DayOut):
    cancelled_sessions: int = Field(description="Planned sessions this declaration cancelled.")


class PeriodIO(BaseModel):
    """A period in the school's wall-clock time."""

    model_config = ConfigDict(extra="forbid", from_attributes=True)
    name: PeriodName
    starts_at: time
    ends_at: time

    @field_validator("starts_at", "ends_at")
    @classmethod
    def _wall_clock(cls, value: time) -> time:
        if value.tzinfo is not None:
            raise ValueError("a wall-clock time, HH:MM[:SS], without an offset")
        return value

    @model_validator(mode="after")
    def _ends_after_start(self) -> Self:
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self


class BellScheduleIn(In):
    school_id: uuid.UUID
    name: Name
    periods: Annotated[list[PeriodIO], Field(min_length=1, max_length=MAX_PERIODS)]


class BellScheduleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    school_id: uuid.UUID
    name: str
    periods: list[PeriodIO]


class RotationIn(In):
    school_id: uuid.UUID
    name: Name
    labels: Annotated[list[Label], Field(min_length=2, max_length=MAX_LABELS)]
    starts_on: BoundedDate
    bell_schedule_id: uuid.UUID


class RotationMeetingIO(BaseModel):
    model_config = ConfigDict(extra="forbid", from_attributes=True)
    section_id: uuid.UUID
    label: Label
    period: PeriodName


class RotationMeetingsIn(In):
    meetings: Annotated[list[RotationMeetingIO], Field(max_length=2000)]


class RotationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    school_id: uuid.UUID
    name: str
    labels: list[str]
    starts_on: date
    bell_schedule_id: uuid.UUID
    meetings: list[RotationMeetingIO]


class SchoolDayOut(BaseModel):
    """What a school's day is: a school day or not (and why), its rotation day labels, and the
    rotation meetings of the day in the school's wall-clock time."""

    school_id: uuid.UUID
    day: date
    school_day: bool
    reason: str | None
    labels: dict[str, str] = Field(description="Rotation name → the day's label.")
    meetings: list[dict[str, Any]]


class NonSchoolDayOut(BaseModel):
    day: date
    kind: DayKind
    reason: str


class InstructionalDaysOut(BaseModel):
    """A school's instructional days over a range or an academic session."""

    school_id: uuid.UUID
    academic_session_id: uuid.UUID | None = Field(
        description="The school year, term or grading period counted (null: a range)."
    )
    first: date
    last: date
    weekdays: int = Field(description="Monday–Friday days in the range.")
    instructional_days: int = Field(
        description="Weekdays that are neither holidays nor closures (early releases count)."
    )
    early_release_days: int = Field(description="Instructional days kept on an early schedule.")
    non_school_days: list[NonSchoolDayOut] = Field(
        description="The range's holidays and closures, by day (weekends included)."
    )
