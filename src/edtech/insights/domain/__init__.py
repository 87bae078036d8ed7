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
    """`absence` from attendance; `course_failing`, `grade_drop` and `missing_work` from the
    published grades."""

    ABSENCE = "absence"
    COURSE_FAILING = "course_failing"
    GRADE_DROP = "grade_drop"
    MISSING_WORK = "missing_work"


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


def absent_days_in_a_row(record: Sequence[Attended]) -> int:
    """School days up to the latest on which every session of the student was missed."""
    days: dict[date, list[Attended]] = {}
    for r in record:
        days.setdefault(r.day, []).append(r)
    streak = 0
    for day in sorted(days, reverse=True):
        if not all(r.category in MISSED for r in days[day]):
            break
        streak += 1
    return streak


def absence_finding(
    record: Sequence[Attended], thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> Finding:
    """Chronic absence over the student's ended sessions: missed ÷ counted ≥ the institution's
    `chronic_absence_percent`, or `consecutive_absent_days` school days missed in a row up to
    the latest."""
    record = sorted(record, key=lambda r: r.day)
    missed = [r for r in record if r.category in MISSED]
    counted = len(record)
    streak = absent_days_in_a_row(record)
    chronic = counted and 100 * len(missed) >= thresholds.chronic_absence_percent * counted
    in_a_row = streak >= thresholds.consecutive_absent_days
    if not counted:
        evidence = "No ended sessions yet."
    else:
        evidence = (
            f"{percent_of(len(missed), counted):g} % of sessions missed without excuse since "
            f"{_day(record[0].day)} ({len(missed)} of {counted})"
        )
        if streak >= 2:
            evidence += f"; absent {streak} school days in a row up to {_day(record[-1].day)}"
    return Finding(
        Indicator.ABSENCE,
        Level.ALERT if chronic or in_a_row else Level.NONE,
        len(missed),
        counted,
        evidence,
        record[-1].school_id if record else None,
        tuple(r.session_id for r in missed),
        tuple(
            {"rel": "session", "href": f"/api/v1/attendance/sessions/{r.session_id}"}
            for r in missed
        ),
    )


@dataclass(frozen=True, kw_only=True)
class SignalChanged(DomainEvent):
    """A student's signal changed level (raised or lowered), with its evidence."""

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

    def update(self, finding: Finding, at: datetime) -> bool:
        """Take the new finding; a change of level is an event (pushed to counsellors)."""
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
