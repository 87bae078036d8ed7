"""Events the attendance slice raises; their `type` strings are part of the channel contract."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, ClassVar

from edtech.kernel.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class ScanRecorded(DomainEvent):
    """A scan or QR check-in marked a student; `mark` is the mark as it now is."""

    type: ClassVar[str] = "attendance.scan_recorded"
    session_id: uuid.UUID
    student_id: uuid.UUID
    scanned_at: datetime
    source: str
    mark: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class MarkChanged(DomainEvent):
    """Someone changed a mark (teacher, office, an excuse, or closing); `mark` is the new state."""

    type: ClassVar[str] = "attendance.mark_changed"
    session_id: uuid.UUID
    student_id: uuid.UUID
    source: str
    mark: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class SessionOpened(DomainEvent):
    type: ClassVar[str] = "attendance.session_opened"
    session_id: uuid.UUID
    section_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class SessionClosed(DomainEvent):
    """The session closed; every student without a mark was marked absent in the same step."""

    type: ClassVar[str] = "attendance.session_closed"
    session_id: uuid.UUID
    section_id: uuid.UUID
    automatic: bool
    marked_absent: int


@dataclass(frozen=True, kw_only=True)
class SessionLocked(DomainEvent):
    type: ClassVar[str] = "attendance.session_locked"
    session_id: uuid.UUID
    section_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class AbsenceReported(DomainEvent):
    """A student was absent or tardy in a closed session: told to their guardians the same day.

    `recipients` (the entitled guardians and the student) route the event; it is not sent.
    """

    type: ClassVar[str] = "attendance.absence_reported"
    session_id: uuid.UUID
    section_id: uuid.UUID
    student_id: uuid.UUID
    day: date
    category: str
    code: str
    minutes_late: int | None
    recipients: tuple[uuid.UUID, ...] = field(default=())

    _not_in_payload: ClassVar[tuple[str, ...]] = ("recipients",)


@dataclass(frozen=True, kw_only=True)
class ExcuseSubmitted(DomainEvent):
    type: ClassVar[str] = "attendance.excuse_submitted"
    excuse_id: uuid.UUID
    student_id: uuid.UUID
    submitted_by: uuid.UUID
    starts_on: date
    ends_on: date
    reason: str


@dataclass(frozen=True, kw_only=True)
class ExcuseDecided(DomainEvent):
    """The office approved or rejected an absence note; the submitter is told live."""

    type: ClassVar[str] = "attendance.excuse_decided"
    excuse_id: uuid.UUID
    student_id: uuid.UUID
    submitted_by: uuid.UUID
    decision: str
    note: str | None
    excused_marks: int


@dataclass(frozen=True, kw_only=True)
class SessionCancelled(DomainEvent):
    """The session will not take place (a closure, a holiday declared after planning, or by
    hand — `by_hand`, its teacher or the office): it ends without absences or alerts.
    `recipients` are the students who had it (they are told; the list is not sent)."""

    type: ClassVar[str] = "attendance.session_cancelled"
    session_id: uuid.UUID
    section_id: uuid.UUID
    day: date
    reason: str
    by_hand: bool = False
    recipients: tuple[uuid.UUID, ...] = field(default=())


@dataclass(frozen=True, kw_only=True)
class RosterChanged(DomainEvent):
    """A session that has not closed follows its section's roster: a student enrolled after it
    was planned got an unmarked mark (`added`, with `mark`), or a student whose enrollment
    ended lost their unmarked one (`removed`). A recorded mark is never removed."""

    type: ClassVar[str] = "attendance.roster_changed"
    session_id: uuid.UUID
    section_id: uuid.UUID
    student_id: uuid.UUID
    change: str
    mark: dict[str, Any] | None = None
