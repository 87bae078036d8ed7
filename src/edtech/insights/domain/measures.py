"""Attendance measures over a date range: daily attendance derived from periods weighted by
their minutes, rates, absences excused and unexcused, tardies, consecutive absences, chronic
absence, and a scope's average daily attendance (ADA) and membership (ADM). Pure: no I/O."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

CHRONIC_PERCENT = 10
"""Chronic absence: missing 10 % or more of enrolled days, excused or not (the research's
definition, and most states')."""
FULL_DAY_PERCENT = 75
"""A day counts as a full day attended when the student was present for at least this share
of the day's minutes in class (weighted by the codes' present percentages)..."""
HALF_DAY_PERCENT = 25
"""...and as half a day when present for at least this share; below it, a day missed."""


@dataclass(frozen=True)
class DayRule:
    """How a school day is credited from its periods, as the institution sets it (its
    thresholds): a full day at `full_percent` of the day's minutes attended or more, half a
    day at `half_percent`, none below."""

    full_percent: int = FULL_DAY_PERCENT
    half_percent: int = HALF_DAY_PERCENT


DEFAULT_DAY_RULE = DayRule()

PRESENT_CATEGORIES = frozenset({"present", "tardy", "early_departure"})
ABSENT = "absent"
EXCUSED = "excused_absence"


@dataclass(frozen=True)
class PeriodMark:
    """One ended (closed or locked) session of a student and how it was marked."""

    student_id: uuid.UUID
    session_id: uuid.UUID
    day: date
    category: str | None
    minutes_late: int | None
    present_percent: int | None
    """The mark's code's present percentage (None: judged by the category)."""
    minutes: int = 0
    """The period's length in minutes (0: unknown, and the day's periods then weigh alike)."""

    @property
    def present_points(self) -> int:
        """How much of the period the student attended, 0–100 (an unmarked period: 0)."""
        if self.category is None:
            return 0
        if self.present_percent is not None:
            return self.present_percent
        return 100 if self.category in PRESENT_CATEGORIES else 0


def day_credit(marks: Sequence[PeriodMark], rule: DayRule = DEFAULT_DAY_RULE) -> float:
    """A school day attended, from its periods weighted by their minutes (alike when a
    period's length is unknown): 1 at ≥ `rule.full_percent` of them, ½ at ≥
    `rule.half_percent`, else 0 (75 % and 25 % unless the institution set others)."""
    if not marks:
        return 0.0
    weights = [m.minutes for m in marks]
    if min(weights) <= 0:
        weights = [1] * len(marks)
    attended = sum(m.present_points * w for m, w in zip(marks, weights, strict=True))
    whole = sum(weights)  # the day's share attended is attended / whole, in percent
    if attended >= rule.full_percent * whole:
        return 1.0
    return 0.5 if attended >= rule.half_percent * whole else 0.0


@dataclass(frozen=True)
class StudentMeasures:
    """A student's attendance over a range, in days and in periods."""

    student_id: uuid.UUID
    days_enrolled: int
    days_attended: float
    days_absent: float
    attendance_percent: float | None
    chronic: bool
    longest_absence_streak: int
    current_absence_streak: int
    sessions: int
    absences_excused: int
    absences_unexcused: int
    tardies: int
    minutes_late: int
    first_day: date | None
    last_day: date | None


def _by_day(marks: Iterable[PeriodMark]) -> dict[date, list[PeriodMark]]:
    days: dict[date, list[PeriodMark]] = {}
    for m in marks:
        days.setdefault(m.day, []).append(m)
    return dict(sorted(days.items()))


def student_measures(
    student_id: uuid.UUID,
    marks: Sequence[PeriodMark],
    chronic_percent: int = CHRONIC_PERCENT,
    rule: DayRule = DEFAULT_DAY_RULE,
) -> StudentMeasures:
    """A student's measures. Enrolled days are the days they had an ended session; a streak
    is a run of enrolled days with nothing attended (a weekend or holiday does not break it,
    a school day attended does); chronic when days absent ≥ `chronic_percent` of enrolled."""
    days = _by_day(marks)
    credits = [day_credit(day, rule) for day in days.values()]
    attended = sum(credits)
    enrolled = len(credits)
    longest = run = 0
    for credit in credits:
        run = run + 1 if credit == 0 else 0
        longest = max(longest, run)
    absent = enrolled - attended
    return StudentMeasures(
        student_id=student_id,
        days_enrolled=enrolled,
        days_attended=attended,
        days_absent=absent,
        attendance_percent=round(100 * attended / enrolled, 1) if enrolled else None,
        chronic=bool(enrolled) and 100 * absent >= chronic_percent * enrolled,
        longest_absence_streak=longest,
        current_absence_streak=run,
        sessions=len(marks),
        absences_excused=sum(1 for m in marks if m.category == EXCUSED),
        absences_unexcused=sum(1 for m in marks if m.category == ABSENT),
        tardies=sum(1 for m in marks if m.category == "tardy"),
        minutes_late=sum(m.minutes_late or 0 for m in marks if m.category == "tardy"),
        first_day=next(iter(days), None),
        last_day=next(reversed(days), None) if days else None,
    )


@dataclass(frozen=True)
class ScopeMeasures:
    """A school's or section's figures over a range."""

    days: int
    """School days with at least one ended session in the scope."""
    average_daily_membership: float
    average_daily_attendance: float
    ada_percent: float | None
    students: int
    chronic_students: int


def scope_measures(
    marks: Sequence[PeriodMark],
    chronic_percent: int = CHRONIC_PERCENT,
    rule: DayRule = DEFAULT_DAY_RULE,
) -> tuple[ScopeMeasures, list[StudentMeasures]]:
    """ADM is the mean, over the scope's days, of the students enrolled that day (had a
    session); ADA the mean of the days attended (full and half); and each student's measures."""
    per_student: dict[uuid.UUID, list[PeriodMark]] = {}
    for m in marks:
        per_student.setdefault(m.student_id, []).append(m)
    students = [student_measures(s, ms, chronic_percent, rule) for s, ms in per_student.items()]
    membership: dict[date, int] = {}
    attendance: dict[date, float] = {}
    for ms in per_student.values():
        for day, day_marks in _by_day(ms).items():
            membership[day] = membership.get(day, 0) + 1
            attendance[day] = attendance.get(day, 0.0) + day_credit(day_marks, rule)
    n, members, present = len(membership), sum(membership.values()), sum(attendance.values())
    return (
        ScopeMeasures(
            days=n,
            average_daily_membership=round(members / n, 2) if n else 0.0,
            average_daily_attendance=round(present / n, 2) if n else 0.0,
            ada_percent=round(100 * present / members, 1) if members else None,
            students=len(students),
            chronic_students=sum(1 for s in students if s.chronic),
        ),
        students,
    )
