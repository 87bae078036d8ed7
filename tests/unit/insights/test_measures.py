"""Attendance measures from period marks: day credit, streaks, chronic absence, ADA/ADM."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from edtech.insights.domain.measures import (
    DayRule,
    PeriodMark,
    day_credit,
    scope_measures,
    student_measures,
)

A = uuid.UUID(int=1)
B = uuid.UUID(int=2)
MONDAY = date(2026, 11, 2)


def mark(
    student: uuid.UUID,
    day: date,
    category: str | None,
    present_percent: int | None = None,
    minutes_late: int | None = None,
    minutes: int = 0,
) -> PeriodMark:
    return PeriodMark(student, uuid.uuid4(), day, category, minutes_late, present_percent, minutes)


@pytest.mark.parametrize(
    ("categories", "credit"),
    [
        (["present", "present", "present", "absent"], 1.0),  # 75 %: a full day
        (["present", "absent", "absent", "absent"], 0.5),  # 25 %: half a day
        (["present", "absent", "absent", "absent", "absent"], 0.0),  # 20 %: missed
        (["tardy", "excused_absence"], 0.5),
        ([None, "present"], 0.5),  # an unmarked period is not attended
    ],
    ids=["three-of-four", "one-of-four", "one-of-five", "tardy-and-excused", "unmarked"],
)
def test_a_day_is_credited_from_its_periods(categories: list[str | None], credit: float) -> None:
    assert day_credit([mark(A, MONDAY, c) for c in categories]) == credit


def test_a_codes_present_percentage_weighs_its_period() -> None:
    # A tardy code worth 50 % present and an absence: 25 % of the day, half a day.
    assert day_credit([mark(A, MONDAY, "tardy", 50), mark(A, MONDAY, "absent")]) == 0.5


def test_periods_weigh_by_their_minutes() -> None:
    # A 90-minute block attended and a 30-minute period missed: 75 % of the day, a full day
    # (counted as periods it would be one of two, half a day).
    day = [mark(A, MONDAY, "present", minutes=90), mark(A, MONDAY, "absent", minutes=30)]
    assert day_credit(day) == 1.0
    # The other way round: 25 % of the day, half a day.
    day = [mark(A, MONDAY, "absent", minutes=90), mark(A, MONDAY, "present", minutes=30)]
    assert day_credit(day) == 0.5
    # A period of unknown length: the day's periods weigh alike.
    day = [mark(A, MONDAY, "present", minutes=90), mark(A, MONDAY, "absent")]
    assert day_credit(day) == 0.5


def test_the_institution_sets_where_a_day_is_full_or_half() -> None:
    three_of_four = [mark(A, MONDAY, c) for c in ("present", "present", "present", "absent")]
    assert day_credit(three_of_four, DayRule(full_percent=80, half_percent=50)) == 0.5
    assert day_credit(three_of_four, DayRule(full_percent=80, half_percent=80)) == 0.0
    found = student_measures(A, three_of_four, rule=DayRule(full_percent=80, half_percent=50))
    assert (found.days_attended, found.days_absent) == (0.5, 0.5)
    scope, _ = scope_measures(three_of_four, rule=DayRule(full_percent=70, half_percent=50))
    assert scope.average_daily_attendance == 1.0


def test_streaks_run_over_enrolled_days_and_chronic_counts_excused_days() -> None:
    days = [MONDAY + timedelta(days=d) for d in (0, 1, 2, 3, 4, 7, 8, 9, 10, 11)]
    pattern = ["present", "absent", "excused_absence", "present", "absent", "absent", "absent"]
    pattern += ["present", "present", "absent"]
    found = student_measures(A, [mark(A, d, c) for d, c in zip(days, pattern, strict=True)])
    assert (found.days_enrolled, found.days_attended, found.days_absent) == (10, 4.0, 6.0)
    # Friday, then Monday and Tuesday after the weekend: three in a row.
    assert (found.longest_absence_streak, found.current_absence_streak) == (3, 1)
    assert (found.absences_excused, found.absences_unexcused) == (1, 5)
    assert found.chronic
    assert found.attendance_percent == 40.0


@pytest.mark.parametrize(
    ("missed", "threshold", "chronic"),
    [(1, 10, True), (0, 10, False), (1, 11, False)],
    ids=["one-in-ten-at-10", "none", "one-in-ten-at-11"],
)
def test_chronic_absence_begins_at_the_threshold(
    missed: int, threshold: int, chronic: bool
) -> None:
    marks = [
        mark(A, MONDAY + timedelta(days=d), "absent" if d < missed else "present")
        for d in range(10)
    ]
    assert student_measures(A, marks, threshold).chronic is chronic


def test_tardies_and_minutes_late_are_counted() -> None:
    found = student_measures(
        A, [mark(A, MONDAY, "tardy", minutes_late=7), mark(A, MONDAY, "tardy", minutes_late=3)]
    )
    assert (found.tardies, found.minutes_late, found.days_attended) == (2, 10, 1.0)


def test_ada_and_adm_average_over_the_scopes_days() -> None:
    tuesday = MONDAY + timedelta(days=1)
    marks = [
        mark(A, MONDAY, "present"),
        mark(B, MONDAY, "absent"),
        mark(A, tuesday, "present"),  # B not enrolled on Tuesday
    ]
    summary, students = scope_measures(marks)
    assert (summary.days, summary.average_daily_membership) == (2, 1.5)
    assert summary.average_daily_attendance == 1.0
    assert summary.ada_percent == round(100 * 2 / 3, 1)
    assert (summary.students, summary.chronic_students) == (2, 1)
    assert {s.student_id: s.days_enrolled for s in students} == {A: 2, B: 1}


def test_nothing_ended_is_no_measure() -> None:
    summary, students = scope_measures([])
    assert (summary.days, summary.ada_percent, students) == (0, None, [])
    assert student_measures(A, []).attendance_percent is None
