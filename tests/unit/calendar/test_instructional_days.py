"""Counting instructional days: weekdays less holidays and closures; early releases count."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from edtech.calendar.domain import CalendarDay, DayKind, instructional_days

MONDAY = date(2026, 11, 30)


def declared(day: date, kind: DayKind, reason: str = "r") -> CalendarDay:
    return CalendarDay(
        id=uuid.uuid4(),
        institution_id=uuid.uuid4(),
        school_id=None,
        day=day,
        kind=kind,
        reason=reason,
        bell_schedule_id=uuid.uuid4() if kind is DayKind.EARLY_RELEASE else None,
        declared_at=datetime(2026, 11, 1, tzinfo=UTC),
        declared_by=None,
    )


def test_a_plain_week_has_five_instructional_days() -> None:
    counted = instructional_days(MONDAY, date(2026, 12, 6), [])
    assert (counted.weekdays, counted.instructional, counted.early_release) == (5, 5, 0)


def test_a_holiday_and_a_closure_on_one_day_take_it_once() -> None:
    wed = date(2026, 12, 2)
    counted = instructional_days(
        MONDAY, date(2026, 12, 4), [declared(wed, DayKind.HOLIDAY), declared(wed, DayKind.CLOSURE)]
    )
    assert counted.instructional == 4
    assert [d.day for d in counted.non_school] == [wed]


def test_an_early_release_is_a_school_day_unless_the_day_is_closed() -> None:
    thu = date(2026, 12, 3)
    open_early = instructional_days(
        MONDAY, date(2026, 12, 4), [declared(thu, DayKind.EARLY_RELEASE)]
    )
    assert (open_early.instructional, open_early.early_release) == (5, 1)
    closed = instructional_days(
        MONDAY,
        date(2026, 12, 4),
        [declared(thu, DayKind.EARLY_RELEASE), declared(thu, DayKind.CLOSURE)],
    )
    assert (closed.instructional, closed.early_release) == (4, 0)


def test_a_weekend_holiday_takes_no_instructional_day() -> None:
    sat = date(2026, 12, 5)
    counted = instructional_days(MONDAY, date(2026, 12, 6), [declared(sat, DayKind.HOLIDAY)])
    assert counted.instructional == 5
    assert [d.day for d in counted.non_school] == [sat]
