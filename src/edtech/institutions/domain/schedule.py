"""Sections and their weekly meeting pattern, and the concrete meetings the pattern generates."""

from __future__ import annotations

import enum
import itertools
import uuid
import zoneinfo
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from edtech.kernel.errors import FieldProblem, InvalidError
from edtech.kernel.events import Aggregate


class Weekday(enum.StrEnum):
    """Days of the week by name; `iso` is the ISO 8601 number (Monday = 1)."""

    MONDAY = "monday"
    TUESDAY = "tuesday"
    WEDNESDAY = "wednesday"
    THURSDAY = "thursday"
    FRIDAY = "friday"
    SATURDAY = "saturday"
    SUNDAY = "sunday"

    @property
    def iso(self) -> int:
        return list(Weekday).index(self) + 1

    @classmethod
    def of(cls, day: date) -> Weekday:
        return list(cls)[day.isoweekday() - 1]


class ClassType(enum.StrEnum):
    """OneRoster `classType`: a homeroom (daily attendance) or a scheduled class."""

    HOMEROOM = "homeroom"
    SCHEDULED = "scheduled"


@dataclass(frozen=True)
class MeetingTime:
    """One weekly slot of a section, in the wall-clock time of the section's school."""

    weekday: Weekday
    starts_at: time
    ends_at: time

    def __post_init__(self) -> None:
        if self.ends_at <= self.starts_at:
            raise ValueError("a meeting must end after it starts")


@dataclass(frozen=True)
class Meeting:
    """One concrete meeting of a section, as UTC instants."""

    section_id: uuid.UUID
    starts_at: datetime
    ends_at: datetime


def check_pattern(pattern: tuple[MeetingTime, ...]) -> None:
    """A pattern's slots may not overlap each other on the same weekday."""
    by_day = sorted(pattern, key=lambda m: (m.weekday.iso, m.starts_at))
    for i, (a, b) in enumerate(itertools.pairwise(by_day)):
        if a.weekday == b.weekday and b.starts_at < a.ends_at:
            raise InvalidError(
                "meeting times overlap",
                [
                    FieldProblem(
                        ("meetings", i + 1),
                        f"overlaps the {a.weekday.value} meeting at {a.starts_at}",
                    )
                ],
            )


@dataclass(eq=False, kw_only=True)
class Section(Aggregate):
    """A teaching group (OneRoster class): a course, in a term, in a room, at weekly times."""

    id: uuid.UUID
    institution_id: uuid.UUID
    school_id: uuid.UUID
    course_id: uuid.UUID
    term_id: uuid.UUID
    title: str
    code: str | None = None
    room: str | None = None
    class_type: ClassType = ClassType.SCHEDULED
    meetings: tuple[MeetingTime, ...] = field(default_factory=tuple)
    sourced_id: str | None = None

    def __post_init__(self) -> None:
        check_pattern(self.meetings)

    def reschedule(self, meetings: tuple[MeetingTime, ...]) -> None:
        check_pattern(meetings)
        self.meetings = meetings

    def meetings_on(self, day: date, zone: str) -> list[Meeting]:
        """The concrete meetings on `day` (a date in the school's zone), as UTC instants.

        The caller checks that the term covers `day`; wall-clock times that fall into a
        daylight-saving gap resolve as `zoneinfo` does (fold 0).
        """
        tz = zoneinfo.ZoneInfo(zone)
        weekday = Weekday.of(day)
        return [
            Meeting(
                self.id,
                datetime.combine(day, m.starts_at, tz).astimezone(UTC),
                datetime.combine(day, m.ends_at, tz).astimezone(UTC),
            )
            for m in sorted(self.meetings, key=lambda m: m.starts_at)
            if m.weekday == weekday
        ]

    def meetings_between(self, first: date, last: date, zone: str) -> list[Meeting]:
        """Every concrete meeting from `first` to `last` inclusive."""
        out: list[Meeting] = []
        day = first
        while day <= last:
            out.extend(self.meetings_on(day, zone))
            day += timedelta(days=1)
        return out
