"""Attendance sessions: one per section meeting, with the time windows that classify arrivals."""

from __future__ import annotations

import enum
import math
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from edtech.attendance.domain.codes import Category
from edtech.attendance.domain.events import (
    SessionCancelled,
    SessionClosed,
    SessionLocked,
    SessionOpened,
)
from edtech.kernel.errors import ConflictError, FieldProblem, InvalidError
from edtech.kernel.events import Aggregate

DEFAULT_OPENS_BEFORE = timedelta(minutes=15)
DEFAULT_GRACE_MINUTES = 5
DEFAULT_LATE_CUTOFF_MINUTES = 20
MAX_CANCEL_REASON = 200
"""The longest reason a cancellation keeps (the `cancel_reason` column)."""


class SessionState(enum.StrEnum):
    """scheduled → open → closed → locked; never backwards. A scheduled or open session may
    instead be cancelled (it ends there, without absences)."""

    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"
    LOCKED = "locked"
    CANCELLED = "cancelled"


class SessionKind(enum.StrEnum):
    PERIOD = "period"
    DAILY = "daily"


@dataclass(frozen=True)
class PlannedMeeting:
    """One meeting of a section on a day, as UTC instants (from the section's weekly pattern)."""

    section_id: uuid.UUID
    school_id: uuid.UUID
    day: date
    starts_at: datetime
    ends_at: datetime
    homeroom: bool = False


@dataclass(frozen=True)
class Arrival:
    """How an arrival at some instant counts: its category and minutes late (0 when on time)."""

    category: Category
    minutes_late: int


@dataclass(frozen=True)
class Windows:
    """The windows of a session (Moodle's rule, from scan time).

    From `opens_at` until `starts_at + grace` an arrival is on time; until `starts_at +
    late_cutoff` it is tardy by the whole minutes since the start; after that, until `closes_at`,
    the student arrived too late to count as present and is absent (arrival still recorded).
    """

    opens_at: datetime
    starts_at: datetime
    grace_minutes: int
    late_cutoff_minutes: int
    closes_at: datetime

    def __post_init__(self) -> None:
        check_windows(self)

    def contains(self, at: datetime) -> bool:
        return self.opens_at <= at < self.closes_at

    def classify(self, at: datetime) -> Arrival:
        """The arrival rule; `at` is assumed inside the window (see `contains`)."""
        since_start = at - self.starts_at
        if since_start <= timedelta(minutes=self.grace_minutes):
            return Arrival(Category.PRESENT, 0)
        minutes = max(1, math.floor(since_start.total_seconds() / 60))
        if since_start <= timedelta(minutes=self.late_cutoff_minutes):
            return Arrival(Category.TARDY, minutes)
        return Arrival(Category.ABSENT, minutes)


def check_cancel_reason(reason: str) -> str:
    """A cancellation says why, in 1–200 characters (surrounding spaces dropped)."""
    text = reason.strip()
    if not text or len(text) > MAX_CANCEL_REASON:
        raise InvalidError(
            "A cancellation needs a reason.",
            [FieldProblem(("reason",), f"must be 1 to {MAX_CANCEL_REASON} characters")],
        )
    return text


def check_windows(w: Windows) -> None:
    problems: list[FieldProblem] = []
    if w.opens_at > w.starts_at:
        problems.append(FieldProblem(("opens_at",), "must not be after the start"))
    if w.grace_minutes < 0:
        problems.append(FieldProblem(("grace_minutes",), "must be 0 or more"))
    if w.late_cutoff_minutes < w.grace_minutes:
        problems.append(
            FieldProblem(("late_cutoff_minutes",), "must not be shorter than the grace")
        )
    if w.closes_at <= w.starts_at:
        problems.append(FieldProblem(("closes_at",), "must be after the start"))
    if problems:
        raise InvalidError("Invalid session times.", problems)


@dataclass(eq=False, kw_only=True)
class AttendanceSession(Aggregate):
    """One meeting of a section where attendance is taken.

    Scans and QR check-ins count only while the session is scheduled or open and the instant
    lies in its window. Teachers change marks until it is locked; after that only the
    attendance officer may, with a reason.
    """

    id: uuid.UUID
    institution_id: uuid.UUID
    school_id: uuid.UUID
    section_id: uuid.UUID
    kind: SessionKind = SessionKind.PERIOD
    day: date
    opens_at: datetime
    starts_at: datetime
    ends_at: datetime
    closes_at: datetime
    grace_minutes: int = DEFAULT_GRACE_MINUTES
    late_cutoff_minutes: int = DEFAULT_LATE_CUTOFF_MINUTES
    state: SessionState = SessionState.SCHEDULED
    closed_at: datetime | None = None
    locked_at: datetime | None = None
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None
    version: int = 1

    def __post_init__(self) -> None:
        check_windows(self.windows)
        if self.ends_at <= self.starts_at:
            raise InvalidError(
                "Invalid session times.", [FieldProblem(("ends_at",), "must be after the start")]
            )

    @property
    def windows(self) -> Windows:
        return Windows(
            self.opens_at,
            self.starts_at,
            self.grace_minutes,
            self.late_cutoff_minutes,
            self.closes_at,
        )

    @property
    def takes_arrivals(self) -> bool:
        return self.state in (SessionState.SCHEDULED, SessionState.OPEN)

    @property
    def is_locked(self) -> bool:
        return self.state == SessionState.LOCKED

    def open(self, at: datetime) -> bool:
        """Open a scheduled session (first scan, mark, or the teacher); True if it changed."""
        if self.state != SessionState.SCHEDULED:
            return False
        self.state = SessionState.OPEN
        self.record(
            SessionOpened(
                institution_id=self.institution_id,
                occurred_at=at,
                session_id=self.id,
                section_id=self.section_id,
            )
        )
        return True

    def close(self, at: datetime, *, automatic: bool, marked_absent: int) -> None:
        """Close the session; the caller has already marked the unmarked students absent."""
        if not self.takes_arrivals:
            raise ConflictError("The session is already closed.", state=self.state.value)
        self.state = SessionState.CLOSED
        self.closed_at = at
        self.record(
            SessionClosed(
                institution_id=self.institution_id,
                occurred_at=at,
                session_id=self.id,
                section_id=self.section_id,
                automatic=automatic,
                marked_absent=marked_absent,
            )
        )

    def lock(self, at: datetime) -> None:
        """Lock a closed session: from now on marks change only through the attendance officer."""
        if self.state != SessionState.CLOSED:
            raise ConflictError("Only a closed session can be locked.", state=self.state.value)
        self.state = SessionState.LOCKED
        self.locked_at = at
        self.record(
            SessionLocked(
                institution_id=self.institution_id,
                occurred_at=at,
                session_id=self.id,
                section_id=self.section_id,
            )
        )

    def cancel(
        self,
        at: datetime,
        reason: str,
        students: tuple[uuid.UUID, ...] = (),
        *,
        by_hand: bool = False,
    ) -> bool:
        """Cancel a session that has not ended: no one is marked absent at its close and no
        guardian is alerted; True if it changed (cancelling twice, or a closed session, is a
        no-op — a day closed after its sessions ended keeps what was recorded)."""
        if not self.takes_arrivals:
            return False
        self.state = SessionState.CANCELLED
        self.cancelled_at = at
        self.cancel_reason = reason
        self.version += 1
        self.record(
            SessionCancelled(
                institution_id=self.institution_id,
                occurred_at=at,
                session_id=self.id,
                section_id=self.section_id,
                day=self.day,
                reason=reason,
                by_hand=by_hand,
                recipients=students,
            )
        )
        return True

    def cancel_by_hand(self, at: datetime, reason: str, students: tuple[uuid.UUID, ...]) -> None:
        """The section's teacher or the office cancels one session that has not ended, saying
        why (1–200 characters): it ends there, without absences or alerts. A session already
        closed, locked or cancelled cannot be cancelled (its attendance stands)."""
        if not self.takes_arrivals:
            raise ConflictError(
                f"The session is already {self.state.value}.", state=self.state.value
            )
        self.cancel(at, check_cancel_reason(reason), students, by_hand=True)

    def due_to_close(self, now: datetime) -> bool:
        return self.takes_arrivals and now >= self.closes_at


def plan_session(
    *,
    session_id: uuid.UUID,
    institution_id: uuid.UUID,
    school_id: uuid.UUID,
    section_id: uuid.UUID,
    day: date,
    starts_at: datetime,
    ends_at: datetime,
    kind: SessionKind = SessionKind.PERIOD,
    grace_minutes: int = DEFAULT_GRACE_MINUTES,
    late_cutoff_minutes: int = DEFAULT_LATE_CUTOFF_MINUTES,
    opens_before: timedelta = DEFAULT_OPENS_BEFORE,
) -> AttendanceSession:
    """A scheduled session for one meeting: opens a little before, closes when the meeting ends."""
    return AttendanceSession(
        id=session_id,
        institution_id=institution_id,
        school_id=school_id,
        section_id=section_id,
        kind=kind,
        day=day,
        opens_at=starts_at - opens_before,
        starts_at=starts_at,
        ends_at=ends_at,
        closes_at=ends_at,
        grace_minutes=grace_minutes,
        late_cutoff_minutes=late_cutoff_minutes,
    )
