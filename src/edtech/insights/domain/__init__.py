"""Signals and their rules: an indicator, its level, and the evidence in the domain's words.
Pure: no I/O."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, ClassVar

from edtech.insights.domain.thresholds import DEFAULT_THRESHOLDS, Thresholds
from edtech.kernel.events import Aggregate, DomainEvent

MAX_EVIDENCE = 400
"""The longest evidence a signal keeps (the `evidence` column); longer is cut with an ellipsis."""
MISSED = frozenset({"absent"})
"""What counts as missed: an absence not excused. An approved note (`excused_absence`) takes
the session off the count, so a counsellor sees the absences still to act on."""


class Indicator(enum.StrEnum):
    """`absence` and `consecutive_absence` from attendance; `course_failing`, `grade_drop`
    and `missing_work` from the published grades."""

    ABSENCE = "absence"
    CONSECUTIVE_ABSENCE = "consecutive_absence"
    COURSE_FAILING = "course_failing"
    GRADE_DROP = "grade_drop"
    MISSING_WORK = "missing_work"


ATTENDANCE_INDICATORS = (Indicator.ABSENCE, Indicator.CONSECUTIVE_ABSENCE)
GRADE_INDICATORS = (Indicator.COURSE_FAILING, Indicator.GRADE_DROP, Indicator.MISSING_WORK)


class Level(enum.StrEnum):
    """`none` below the threshold; `alert` at or above it."""

    NONE = "none"
    ALERT = "alert"


@dataclass(frozen=True)
class Attended:
    """One ended session of the student and how it counted (an attendance category)."""

    session_id: uuid.UUID
    school_id: uuid.UUID
    day: date
    category: str | None


@dataclass(frozen=True)
class Finding:
    """An indicator's value with its evidence in words, the numbers behind it (`missed` of
    `counted`: sessions missed, courses failing or dropping, pieces of work missing) and links
    to the records (`{"rel", "href"}`; for absence, also the sessions missed by id)."""

    indicator: Indicator
    level: Level
    missed: int
    counted: int
    evidence: str
    school_id: uuid.UUID | None = None
    missed_sessions: tuple[uuid.UUID, ...] = ()
    links: tuple[dict[str, str], ...] = ()


def _day(d: date) -> str:
    return f"{d.day} {d:%b}"


def percent_of(part: int, whole: int) -> float:
    return 0.0 if whole == 0 else round(100 * part / whole, 1)


@dataclass(frozen=True)
class AbsenceRecord:
    """A student's ended sessions summed up: how many, those missed (id and day, in order),
    the first and last day, the school of the last, and the last day with a session not
    missed (None: none was). Read set-based (`attendance.public.absence_summaries`)."""

    counted: int
    first_day: date | None
    last_day: date | None
    school_id: uuid.UUID | None
    last_attended_day: date | None
    missed: tuple[tuple[uuid.UUID, date], ...]

    @property
    def absent_days_in_a_row(self) -> int:
        """School days up to the latest on which every session of the student was missed."""
        return len({day for _, day in self.streak})

    @property
    def streak(self) -> tuple[tuple[uuid.UUID, date], ...]:
        """The sessions missed after the last day with one attended (those of the streak)."""
        after = self.last_attended_day
        return tuple((s, day) for s, day in self.missed if after is None or day > after)


NO_RECORD = AbsenceRecord(0, None, None, None, None, ())


def summarize(record: Sequence[Attended]) -> AbsenceRecord:
    """The `AbsenceRecord` of a list of ended sessions (what the set-based read returns)."""
    if not record:
        return NO_RECORD
    record = sorted(record, key=lambda r: r.day)
    attended = [r.day for r in record if r.category not in MISSED]
    return AbsenceRecord(
        counted=len(record),
        first_day=record[0].day,
        last_day=record[-1].day,
        school_id=record[-1].school_id,
        last_attended_day=max(attended) if attended else None,
        missed=tuple((r.session_id, r.day) for r in record if r.category in MISSED),
    )


def _session_links(missed: Sequence[tuple[uuid.UUID, date]]) -> tuple[dict[str, str], ...]:
    return tuple(
        {"rel": "session", "href": f"/api/v1/attendance/sessions/{session_id}"}
        for session_id, _ in missed
    )


def absence_finding(
    record: AbsenceRecord | Sequence[Attended], thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> Finding:
    """Chronic absence over the student's ended sessions: missed ÷ counted ≥ the institution's
    `chronic_absence_percent` is an alert. (Days missed in a row are their own indicator,
    `consecutive_finding`.)"""
    r = record if isinstance(record, AbsenceRecord) else summarize(record)
    missed, counted = len(r.missed), r.counted
    chronic = counted and 100 * missed >= thresholds.chronic_absence_percent * counted
    if not counted or r.first_day is None or r.last_day is None:
        evidence = "No ended sessions yet."
    else:
        evidence = (
            f"{percent_of(missed, counted):g} % of sessions missed without excuse since "
            f"{_day(r.first_day)} ({missed} of {counted})"
        )
    return Finding(
        Indicator.ABSENCE,
        Level.ALERT if chronic else Level.NONE,
        missed,
        counted,
        evidence,
        r.school_id,
        tuple(session_id for session_id, _ in r.missed),
        _session_links(r.missed),
    )


def consecutive_finding(
    record: AbsenceRecord | Sequence[Attended], thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> Finding:
    """Consecutive absence: the school days (with an ended session of the student) up to the
    latest on which every session was missed without excuse; `consecutive_absent_days` or
    more is an alert, whatever the percentage ("Absent 3 school days in a row, 27 Nov to
    1 Dec (3 sessions)"). `missed` is the days in a row, `counted` the threshold."""
    r = record if isinstance(record, AbsenceRecord) else summarize(record)
    streak = r.streak
    days = r.absent_days_in_a_row
    if not r.counted:
        evidence = "No ended sessions yet."
    elif days == 0:
        evidence = "Present on the latest school day"
    else:
        first, last = streak[0][1], streak[-1][1]
        sessions = "session" if len(streak) == 1 else "sessions"
        span = f"on {_day(last)}" if first == last else f"{_day(first)} to {_day(last)}"
        day_word = "school day" if days == 1 else "school days"
        evidence = f"Absent {days} {day_word} in a row, {span} ({len(streak)} {sessions})"
    return Finding(
        Indicator.CONSECUTIVE_ABSENCE,
        Level.ALERT if days >= thresholds.consecutive_absent_days else Level.NONE,
        days,
        thresholds.consecutive_absent_days,
        evidence,
        r.school_id,
        tuple(session_id for session_id, _ in streak),
        _session_links(streak),
    )


def attendance_findings(
    record: AbsenceRecord | Sequence[Attended], thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> list[Finding]:
    """The attendance indicators: chronic absence and consecutive absence."""
    r = record if isinstance(record, AbsenceRecord) else summarize(record)
    return [absence_finding(r, thresholds), consecutive_finding(r, thresholds)]


@dataclass(frozen=True, kw_only=True)
class SignalChanged(DomainEvent):
    """A student's signal changed level (raised or lowered), with its evidence and the
    sections the student is enrolled in today (whose teachers follow it live)."""

    type: ClassVar[str] = "insights.signal_changed"
    signal_id: uuid.UUID
    student_id: uuid.UUID
    school_id: uuid.UUID | None
    indicator: str
    level: str
    previous_level: str
    evidence: str
    missed: int
    counted: int
    missed_sessions: tuple[uuid.UUID, ...] = field(default=())
    links: tuple[dict[str, str], ...] = field(default=())
    section_ids: tuple[uuid.UUID, ...] = field(default=())


@dataclass(eq=False, kw_only=True)
class StudentSignal(Aggregate):
    """The current value of one indicator for one student."""

    id: uuid.UUID
    institution_id: uuid.UUID
    student_id: uuid.UUID
    school_id: uuid.UUID | None = None
    indicator: Indicator
    level: Level = Level.NONE
    missed: int = 0
    counted: int = 0
    evidence: str = ""
    missed_sessions: list[str] = field(default_factory=list)
    links: list[dict[str, str]] = field(default_factory=list)
    changed_at: datetime
    version: int = 1

    def changes_level(self, finding: Finding) -> bool:
        """Whether taking `finding` raises or lowers the signal (an event)."""
        return self.level != finding.level

    def update(self, finding: Finding, at: datetime, section_ids: Sequence[uuid.UUID] = ()) -> bool:
        """Take the new finding; a change of level is an event, pushed to the school's
        counsellors and to the teachers of `section_ids` (the student's sections today)."""
        previous = self.level
        self.level, self.missed, self.counted = finding.level, finding.missed, finding.counted
        evidence = finding.evidence
        if len(evidence) > MAX_EVIDENCE:
            evidence = evidence[: MAX_EVIDENCE - 1] + "…"
        self.evidence = evidence
        self.school_id = finding.school_id or self.school_id
        self.missed_sessions = [str(s) for s in finding.missed_sessions]
        self.links = [dict(link) for link in finding.links]
        if previous == finding.level:
            return False
        self.changed_at = at
        self.version += 1
        self.record(
            SignalChanged(
                institution_id=self.institution_id,
                occurred_at=at,
                signal_id=self.id,
                student_id=self.student_id,
                school_id=self.school_id,
                indicator=self.indicator.value,
                level=finding.level.value,
                previous_level=previous.value,
                evidence=evidence,
                missed=finding.missed,
                counted=finding.counted,
                missed_sessions=finding.missed_sessions,
                links=finding.links,
                section_ids=tuple(section_ids),
            )
        )
        return True


def payload_of(signal: StudentSignal) -> dict[str, Any]:
    return {
        "id": signal.id,
        "student_id": signal.student_id,
        "school_id": signal.school_id,
        "indicator": signal.indicator.value,
        "level": signal.level.value,
    }
