"""The calendar's rules: which days are school days, what rotation day a school day is, and
which bell schedule it keeps. Pure: no I/O."""

from __future__ import annotations

import enum
import itertools
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import ClassVar

from edtech.kernel.errors import FieldProblem, InvalidError
from edtech.kernel.events import Aggregate, DomainEvent

MAX_REASON = 200
MAX_LABELS = 10
MAX_PERIODS = 16
SCHOOL_WEEK = frozenset(range(1, 6))
"""ISO weekdays a school meets on unless the calendar says otherwise (Monday to Friday)."""


class DayKind(enum.StrEnum):
    """A holiday or a closure is a non-school day (no sessions); an early release is a school
    day that keeps another bell schedule."""

    HOLIDAY = "holiday"
    CLOSURE = "closure"
    EARLY_RELEASE = "early_release"

    @property
    def is_school_day(self) -> bool:
        return self is DayKind.EARLY_RELEASE


@dataclass(frozen=True, kw_only=True)
class CalendarDayDeclared(DomainEvent):
    """A day became a holiday, a closure or an early release; `cancelled_sessions` planned
    sessions of that day were cancelled with it."""

    type: ClassVar[str] = "calendar.day_declared"
    day_id: uuid.UUID
    school_id: uuid.UUID | None
    day: date
    kind: str
    reason: str
    cancelled_sessions: int


@dataclass(eq=False, kw_only=True)
class CalendarDay(Aggregate):
    """One day that is not an ordinary school day, for one school or (school_id None) every
    school of the institution."""

    id: uuid.UUID
    institution_id: uuid.UUID
    school_id: uuid.UUID | None
    day: date
    kind: DayKind
    reason: str
    bell_schedule_id: uuid.UUID | None = None
    declared_at: datetime
    declared_by: uuid.UUID | None = None

    def __post_init__(self) -> None:
        problems: list[FieldProblem] = []
        if not self.reason.strip() or len(self.reason) > MAX_REASON:
            problems.append(FieldProblem(("reason",), f"1 to {MAX_REASON} characters"))
        if self.kind is DayKind.EARLY_RELEASE and self.bell_schedule_id is None:
            problems.append(
                FieldProblem(("bell_schedule_id",), "an early release names its bell schedule")
            )
        if self.kind is not DayKind.EARLY_RELEASE and self.bell_schedule_id is not None:
            problems.append(FieldProblem(("bell_schedule_id",), "only for an early release"))
        if problems:
            raise InvalidError("Invalid calendar day.", problems)

    def declared(self, cancelled_sessions: int) -> None:
        self.record(
            CalendarDayDeclared(
                institution_id=self.institution_id,
                occurred_at=self.declared_at,
                day_id=self.id,
                school_id=self.school_id,
                day=self.day,
                kind=self.kind.value,
                reason=self.reason,
                cancelled_sessions=cancelled_sessions,
            )
        )


@dataclass(frozen=True)
class Period:
    """One period of a bell schedule, in the school's wall-clock time."""

    name: str
    starts_at: time
    ends_at: time


@dataclass(eq=False, kw_only=True)
class BellSchedule(Aggregate):
    """A school's named list of periods ("Regular", "Early release")."""

    id: uuid.UUID
    institution_id: uuid.UUID
    school_id: uuid.UUID
    name: str
    periods: tuple[Period, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        check_periods(self.periods)

    def period(self, name: str) -> Period | None:
        return next((p for p in self.periods if p.name == name), None)


def check_periods(periods: tuple[Period, ...]) -> None:
    """Periods have distinct names, end after they start and do not overlap."""
    problems: list[FieldProblem] = []
    if not 1 <= len(periods) <= MAX_PERIODS:
        problems.append(FieldProblem(("periods",), f"1 to {MAX_PERIODS} periods"))
    seen: set[str] = set()
    ordered = sorted(enumerate(periods), key=lambda ip: ip[1].starts_at)
    for i, p in enumerate(periods):
        if p.ends_at <= p.starts_at:
            problems.append(FieldProblem(("periods", i, "ends_at"), "must be after the start"))
        if p.name in seen:
            problems.append(FieldProblem(("periods", i, "name"), "names must be distinct"))
        seen.add(p.name)
    for (_, a), (j, b) in itertools.pairwise(ordered):
        if b.starts_at < a.ends_at:
            problems.append(FieldProblem(("periods", j, "starts_at"), f"overlaps {a.name}"))
    if problems:
        raise InvalidError("Invalid bell schedule.", problems)


_LABEL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _-]{0,15}$")


@dataclass(frozen=True)
class RotationMeeting:
    """A section meets in `period` on every `label` day of its rotation."""

    section_id: uuid.UUID
    label: str
    period: str


@dataclass(eq=False, kw_only=True)
class Rotation(Aggregate):
    """A school's cycle of day labels (A/B, or Day 1–6), counted over school days from
    `starts_on` (the first school day on or after it is `labels[0]`). A non-school day does
    not advance the cycle: the day after a snow day on an A day is still an A day. Its
    sections' meetings name a label and a period of `bell_schedule_id` (an early release
    keeps the labels and changes the schedule)."""

    id: uuid.UUID
    institution_id: uuid.UUID
    school_id: uuid.UUID
    name: str
    labels: tuple[str, ...]
    starts_on: date
    bell_schedule_id: uuid.UUID
    meetings: tuple[RotationMeeting, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        problems: list[FieldProblem] = []
        if not 2 <= len(self.labels) <= MAX_LABELS:
            problems.append(FieldProblem(("labels",), f"2 to {MAX_LABELS} day labels"))
        if len(set(self.labels)) != len(self.labels):
            problems.append(FieldProblem(("labels",), "labels must be distinct"))
        for i, label in enumerate(self.labels):
            if not _LABEL.fullmatch(label):
                problems.append(FieldProblem(("labels", i), "1-16 letters, digits, - or _"))
        if problems:
            raise InvalidError("Invalid rotation.", problems)

    def set_meetings(self, meetings: Iterable[RotationMeeting], schedule: BellSchedule) -> None:
        """Replace the meetings; each names one of the labels and a period of the schedule,
        and a section meets at most once per label and period."""
        chosen = tuple(meetings)
        problems: list[FieldProblem] = []
        seen: set[tuple[uuid.UUID, str, str]] = set()
        for i, m in enumerate(chosen):
            if m.label not in self.labels:
                problems.append(FieldProblem(("meetings", i, "label"), "not a label of it"))
            if schedule.period(m.period) is None:
                problems.append(FieldProblem(("meetings", i, "period"), "no such period"))
            key = (m.section_id, m.label, m.period)
            if key in seen:
                problems.append(FieldProblem(("meetings", i), "listed twice"))
            seen.add(key)
        if problems:
            raise InvalidError("Invalid rotation meetings.", problems)
        self.meetings = chosen

    def label_on(self, day: date, non_school_days: set[date]) -> str | None:
        """The label of `day`, or None when it is not a school day of this rotation (a
        weekend, a non-school day, or before it starts). `non_school_days` must hold the
        school's holidays and closures from `starts_on` to `day`."""
        if day < self.starts_on or not is_school_day(day, non_school_days):
            return None
        count, d = 0, self.starts_on
        while d < day:
            count += is_school_day(d, non_school_days)
            d += timedelta(days=1)
        return self.labels[count % len(self.labels)]


def is_school_day(day: date, non_school_days: set[date]) -> bool:
    """A weekday of the school week that is neither a holiday nor a closure."""
    return day.isoweekday() in SCHOOL_WEEK and day not in non_school_days


MAX_COUNTED_DAYS = 731
"""The longest range whose instructional days are counted at once (two years)."""


@dataclass(frozen=True)
class InstructionalDays:
    """A school's instructional days from `first` to `last`: the school-week weekdays that are
    neither holidays nor closures. Early releases are instructional days (counted apart too);
    `non_school` lists the holidays and closures of the range, one per day, weekends included
    (a holiday on a Saturday takes no instructional day)."""

    first: date
    last: date
    weekdays: int
    instructional: int
    early_release: int
    non_school: tuple[CalendarDay, ...]


def instructional_days(
    first: date, last: date, declared: Iterable[CalendarDay]
) -> InstructionalDays:
    """Count the instructional days of a range from the days declared for the school in it."""
    closed: dict[date, CalendarDay] = {}
    early: set[date] = set()
    for d in declared:
        if d.kind.is_school_day:
            early.add(d.day)
        else:
            closed.setdefault(d.day, d)
    weekdays = instructional = 0
    day = first
    while day <= last:
        if day.isoweekday() in SCHOOL_WEEK:
            weekdays += 1
            instructional += day not in closed
        day += timedelta(days=1)
    early_release = sum(1 for d in early if first <= d <= last and is_school_day(d, set(closed)))
    return InstructionalDays(
        first,
        last,
        weekdays,
        instructional,
        early_release,
        tuple(closed[d] for d in sorted(closed)),
    )


__all__ = [
    "MAX_COUNTED_DAYS",
    "MAX_REASON",
    "BellSchedule",
    "CalendarDay",
    "CalendarDayDeclared",
    "DayKind",
    "InstructionalDays",
    "Period",
    "Rotation",
    "RotationMeeting",
    "check_periods",
    "instructional_days",
    "is_school_day",
]
