"""Pydantic schemas of the attendance API: `…In` bodies and `…Out` responses."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import BaseModel, Field, model_validator

from edtech.attendance.domain import (
    MAX_BATCH,
    MAX_CANCEL_REASON,
    Category,
    CredentialKind,
    SessionKind,
)
from edtech.platform.http.types import BoundedDate, BoundedDatetime


class CodeOut(BaseModel):
    code: str
    name: str
    category: Category
    present_percent: int
    ed_fi_category: str
    is_system: bool
    is_active: bool


class CodeIn(BaseModel):
    code: str = Field(min_length=1, max_length=16, examples=["L"])
    name: str = Field(min_length=1, max_length=100, examples=["Late bus"])
    category: Category
    present_percent: int = Field(ge=0, le=100)


class CodePatch(BaseModel):
    name: str | None = Field(None, min_length=1, max_length=100)
    category: Category | None = None
    present_percent: int | None = Field(None, ge=0, le=100)
    is_active: bool | None = None


class SessionOut(BaseModel):
    id: uuid.UUID
    section_id: uuid.UUID
    school_id: uuid.UUID
    kind: SessionKind
    day: date
    opens_at: datetime
    starts_at: datetime
    ends_at: datetime
    closes_at: datetime
    grace_minutes: int
    late_cutoff_minutes: int
    state: str
    closed_at: datetime | None
    locked_at: datetime | None
    cancelled_at: datetime | None = None
    cancel_reason: str | None = Field(None, description="Why it was cancelled (a closure, …).")


MAX_SESSION_LENGTH = timedelta(days=1)


class SessionIn(BaseModel):
    """A session on demand; its `day` is the date of `starts_at` in the school's time zone."""

    section_id: uuid.UUID
    starts_at: BoundedDatetime
    ends_at: BoundedDatetime
    grace_minutes: int = Field(5, ge=0, le=240)
    late_cutoff_minutes: int = Field(20, ge=0, le=600)
    opens_before_minutes: int = Field(15, ge=0, le=240)

    @model_validator(mode="after")
    def _at_most_a_day(self) -> SessionIn:
        # A register is taken for one lesson or one school day; a longer span is a typo, and
        # the board, reports and the closer all reason about one day.
        if self.ends_at - self.starts_at > MAX_SESSION_LENGTH:
            raise ValueError("a session lasts at most a day (ends_at - starts_at <= 24 h)")
        return self


class PlanIn(BaseModel):
    first: BoundedDate
    last: BoundedDate | None = None
    section_ids: list[uuid.UUID] | None = Field(None, max_length=1000)


class PlanOut(BaseModel):
    created: list[uuid.UUID]


class MarkOut(BaseModel):
    student_id: uuid.UUID
    name: str | None = None
    teacher_code: str | None
    official_code: str | None
    category: Category | None
    minutes_late: int | None
    arrived_at: datetime | None
    departed_at: datetime | None
    source: str | None
    version: int


class ChannelPosition(BaseModel):
    """Subscribe to `name` with `since: {offset, epoch}` to get exactly what came after."""

    name: str
    offset: int
    epoch: str | None


class StudentRef(BaseModel):
    student_id: uuid.UUID
    name: str | None


class BoardOut(BaseModel):
    session: SessionOut
    marks: list[MarkOut]
    tally: dict[str, int]
    missing: list[StudentRef]
    channel: ChannelPosition


class MarkIn(BaseModel):
    code: str = Field(min_length=1, max_length=16)
    version: int | None = Field(None, ge=0, description="The version you loaded; 409 if stale.")
    minutes_late: int | None = Field(None, ge=0, le=1440)
    arrived_at: BoundedDatetime | None = None
    departed_at: BoundedDatetime | None = None
    reason: str | None = Field(None, max_length=1000)


class MarkChangeOut(BaseModel):
    at: datetime
    actor_id: uuid.UUID | None
    source: str
    before: dict[str, Any]
    after: dict[str, Any]
    reason: str | None


class CountOut(BaseModel):
    changed: int


class CancelIn(BaseModel):
    """Why the session will not take place; the board and its students see it."""

    reason: str = Field(min_length=1, max_length=MAX_CANCEL_REASON, examples=["Field trip"])


class ScanItem(BaseModel):
    id: str = Field(min_length=1, max_length=64, description="The device's own id of this scan.")
    credential: str = Field(min_length=1, max_length=256)
    scanned_at: BoundedDatetime


class ScanBatchIn(BaseModel):
    scans: list[ScanItem] = Field(min_length=1, max_length=MAX_BATCH)


class ScanResultOut(BaseModel):
    id: str
    result: str
    reason: str | None = None
    student_id: uuid.UUID | None = None
    session_id: uuid.UUID | None = None
    category: str | None = None
    minutes_late: int | None = None
    original: str | None = None


class ScanBatchOut(BaseModel):
    results: list[ScanResultOut]
    counts: dict[str, int]


class QrOut(BaseModel):
    session_id: uuid.UUID
    token: str
    expires_at: datetime


class CheckInIn(BaseModel):
    token: str = Field(min_length=1, max_length=2000)
    device_id: str = Field(min_length=8, max_length=64, description="The app's install id.")


class CheckInOut(BaseModel):
    result: str
    session_id: uuid.UUID
    category: str | None
    minutes_late: int | None


class CredentialIn(BaseModel):
    student_id: uuid.UUID
    kind: CredentialKind
    value: str = Field(min_length=1, max_length=256)


class CredentialOut(BaseModel):
    id: uuid.UUID


class ExcuseIn(BaseModel):
    student_id: uuid.UUID
    starts_on: BoundedDate
    ends_on: BoundedDate
    reason: str = Field(min_length=1, max_length=2000)
    attachment_ref: str | None = Field(None, max_length=500)


class ExcuseOut(BaseModel):
    id: uuid.UUID
    student_id: uuid.UUID
    submitted_by: uuid.UUID
    starts_on: date
    ends_on: date
    reason: str
    attachment_ref: str | None
    state: str
    submitted_at: datetime
    decided_by: uuid.UUID | None
    decided_at: datetime | None
    note: str | None


class DecisionIn(BaseModel):
    approve: bool
    note: str | None = Field(None, max_length=2000)


class SummaryOut(BaseModel):
    sessions: int
    marked: int
    present_percent: float | None
    present: int
    tardies: int
    minutes_late: int
    absences_excused: int
    absences_unexcused: int
    early_departures: int


class ReportSessionOut(BaseModel):
    session_id: uuid.UUID
    section_id: uuid.UUID
    day: date
    starts_at: datetime
    code: str | None
    category: str | None
    minutes_late: int | None


class StudentReportOut(BaseModel):
    student_id: uuid.UUID
    name: str | None
    first: date
    last: date
    summary: SummaryOut
    sessions: list[ReportSessionOut]


class StudentLineOut(BaseModel):
    student_id: uuid.UUID
    name: str | None
    summary: SummaryOut


class SectionReportOut(BaseModel):
    section_id: uuid.UUID
    first: date
    last: date
    students: list[StudentLineOut]


class SessionLineOut(BaseModel):
    session_id: uuid.UUID
    section_id: uuid.UUID
    starts_at: datetime
    state: str
    summary: SummaryOut


class DayReportOut(BaseModel):
    day: date
    sessions: list[SessionLineOut]
