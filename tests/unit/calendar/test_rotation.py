"""Rotations count school days; bell schedules keep their periods apart."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta

import pytest

from edtech.calendar.domain import (
    BellSchedule,
    CalendarDay,
    DayKind,
    Period,
    Rotation,
    RotationMeeting,
    check_periods,
)
from edtech.kernel.errors import InvalidError

MONDAY = date(2027, 1, 18)


def rotation(labels: tuple[str, ...] = ("A", "B")) -> Rotation:
    return Rotation(
        id=uuid.uuid4(),
        institution_id=uuid.uuid4(),
        school_id=uuid.uuid4(),
        name="AB",
        labels=labels,
        starts_on=MONDAY,
        bell_schedule_id=uuid.uuid4(),
    )


def labels(r: Rotation, days: int, off: set[date]) -> list[str | None]:
    return [r.label_on(MONDAY + timedelta(days=n), off) for n in range(days)]


def test_an_ab_rotation_alternates_over_two_weeks_of_school_days() -> None:
    assert labels(rotation(), 14, set()) == [
        *["A", "B", "A", "B", "A", None, None],
        *["B", "A", "B", "A", "B", None, None],
    ]


def test_a_non_school_day_does_not_advance_the_rotation() -> None:
    wednesday = MONDAY + timedelta(days=2)
    assert labels(rotation(), 7, {wednesday}) == ["A", "B", None, "A", "B", None, None]


def test_a_six_day_cycle_wraps_and_nothing_is_a_rotation_day_before_it_starts() -> None:
    r = rotation(tuple(f"Day {n}" for n in range(1, 7)))
    assert r.label_on(MONDAY - timedelta(days=1), set()) is None
    assert labels(r, 9, set())[7:] == ["Day 6", "Day 1"]


def test_meetings_name_a_label_and_a_period_of_the_schedule() -> None:
    r = rotation()
    schedule = BellSchedule(
        id=r.bell_schedule_id,
        institution_id=r.institution_id,
        school_id=r.school_id,
        name="Regular",
        periods=(Period("P1", time(8), time(8, 45)),),
    )
    section = uuid.uuid4()
    with pytest.raises(InvalidError) as err:
        r.set_meetings(
            [RotationMeeting(section, "C", "P1"), RotationMeeting(section, "A", "P9")], schedule
        )
    assert {p.loc for p in err.value.problems} == {
        ("meetings", 0, "label"),
        ("meetings", 1, "period"),
    }
    r.set_meetings([RotationMeeting(section, "A", "P1")], schedule)
    assert r.meetings == (RotationMeeting(section, "A", "P1"),)


def test_overlapping_or_duplicate_periods_are_refused() -> None:
    with pytest.raises(InvalidError):
        check_periods((Period("P1", time(8), time(9)), Period("P2", time(8, 30), time(9, 30))))
    with pytest.raises(InvalidError):
        check_periods((Period("P1", time(8), time(9)), Period("P1", time(10), time(11))))
    check_periods((Period("P1", time(8), time(9)), Period("P2", time(9), time(10))))


def test_only_an_early_release_names_a_bell_schedule() -> None:
    base = {
        "id": uuid.uuid4(),
        "institution_id": uuid.uuid4(),
        "school_id": None,
        "day": MONDAY,
        "reason": "Snow",
        "declared_at": datetime(2027, 1, 18, 11, tzinfo=UTC),
    }
    with pytest.raises(InvalidError):
        CalendarDay(kind=DayKind.CLOSURE, bell_schedule_id=uuid.uuid4(), **base)
    with pytest.raises(InvalidError):
        CalendarDay(kind=DayKind.EARLY_RELEASE, **base)
    assert not CalendarDay(kind=DayKind.CLOSURE, **base).kind.is_school_day
