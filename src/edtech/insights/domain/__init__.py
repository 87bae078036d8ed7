"""Signals and their rules: an indicator, its level, and the evidence in the domain's words.
Pure: no I/O."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, ClassVar

from edtech.kernel.events import Aggregate, DomainEvent

ABSENCE_THRESHOLD_PERCENT = 10
"""Chronic absence begins at 10 % missed (the research's and most states' threshold)."""
MISSED = frozenset({"absent"})
"""What counts as missed: an absence not excused. An approved note (`excused_absence`) takes
the session off the count, so a counsellor sees the absences still to act on."""


class Indicator(enum.StrEnum):
    ABSENCE = "absence"


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
    """An indicator's value with its evidence: the sessions counted and those missed."""

    indicator: Indicator
    level: Level
    missed: int
    counted: int
    since: date | None
    school_id: uuid.UUID | None
    missed_sessions: tuple[uuid.UUID, ...]

    @property
    def percent(self) -> float:
        return 0.0 if self.counted == 0 else round(100 * self.missed / self.counted, 1)

    @property
    def evidence(self) -> str:
        """The evidence in the domain's words and numbers."""
        if self.counted == 0:
            return "No ended sessions yet."
        since = f" since {self.since.day} {self.since:%b}" if self.since else ""
        return (
            f"{self.percent:g} % of sessions missed without excuse{since} "
            f"({self.missed} of {self.counted})"
        )


def absence_finding(
    record: Sequence[Attended], threshold_percent: int = ABSENCE_THRESHOLD_PERCENT
) -> Finding:
    """Chronic absence over the student's ended sessions: missed ÷ counted ≥ the threshold."""
    missed = [r for r in record if r.category in MISSED]
    counted = len(record)
    level = (
        Level.ALERT if counted and 100 * len(missed) >= threshold_percent * counted else Level.NONE
    )
    return Finding(
        Indicator.ABSENCE,
        level,
        len(missed),
        counted,
        record[0].day if record else None,
        record[-1].school_id if record else None,
        tuple(r.session_id for r in missed),
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
    changed_at: datetime
    version: int = 1

    def update(self, finding: Finding, at: datetime) -> bool:
        """Take the new finding; a change of level is an event (pushed to counsellors)."""
        previous = self.level
        self.level, self.missed, self.counted = finding.level, finding.missed, finding.counted
        self.evidence = finding.evidence
        self.school_id = finding.school_id or self.school_id
        self.missed_sessions = [str(s) for s in finding.missed_sessions]
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
                evidence=finding.evidence,
                missed=finding.missed,
                counted=finding.counted,
                missed_sessions=finding.missed_sessions,
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
