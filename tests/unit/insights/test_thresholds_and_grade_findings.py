"""Thresholds per institution and the grade indicators' rules and evidence (no I/O)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest

from edtech.insights.domain import (
    Attended,
    Indicator,
    Level,
    absence_finding,
    attendance_findings,
    consecutive_finding,
)
from edtech.insights.domain.features import RuleBasedScorer, StudentFeatures
from edtech.insights.domain.grades import (
    CourseStanding,
    drop_finding,
    failing_finding,
    missing_finding,
)
from edtech.insights.domain.thresholds import Thresholds
from edtech.kernel.errors import InvalidError

STUDENT = uuid.uuid4()
SCHOOL = uuid.uuid4()
FIRST = date(2026, 11, 2)


def days(*categories: str) -> list[Attended]:
    """One session a day from FIRST, each with its category."""
    return [
        Attended(uuid.uuid4(), SCHOOL, FIRST + timedelta(days=i), c)
        for i, c in enumerate(categories)
    ]


def test_thresholds_outside_their_ranges_are_refused_naming_each_field() -> None:
    with pytest.raises(InvalidError) as refused:
        Thresholds(chronic_absence_percent=0, failing_percent=101)
    fields = {p.loc for p in refused.value.problems}
    assert fields == {("chronic_absence_percent",), ("failing_percent",)}


def test_the_chronic_absence_percent_is_the_institutions() -> None:
    record = days(*["present"] * 8, "absent")  # 1 of 9 = 11.1 %
    assert absence_finding(record).level == Level.ALERT
    assert absence_finding(record, Thresholds(chronic_absence_percent=12)).level == Level.NONE


def test_consecutive_absence_is_its_own_signal_with_the_streak_as_evidence() -> None:
    record = days(*["present"] * 27, "absent", "absent", "absent")  # 3 of 30 = 10 %
    strict = Thresholds(chronic_absence_percent=50, consecutive_absent_days=3)
    absence, consecutive = attendance_findings(record, strict)
    # The chronic-absence signal judges the percentage only: 10 % is under 50 %.
    assert (absence.indicator, absence.level) == (Indicator.ABSENCE, Level.NONE)
    assert absence.evidence == "10 % of sessions missed without excuse since 2 Nov (3 of 30)"
    assert consecutive.indicator == Indicator.CONSECUTIVE_ABSENCE
    assert consecutive.level == Level.ALERT
    assert (consecutive.missed, consecutive.counted) == (3, 3)
    assert consecutive.evidence == "Absent 3 school days in a row, 29 Nov to 1 Dec (3 sessions)"
    assert consecutive.missed_sessions == tuple(a.session_id for a in record[-3:])
    assert [link["href"] for link in consecutive.links] == [
        f"/api/v1/attendance/sessions/{a.session_id}" for a in record[-3:]
    ]
    assert consecutive_finding(record, Thresholds(50, 4)).level == Level.NONE
    # an excused day in between breaks the streak: one day in a row
    broken = days(*["present"] * 27, "absent", "excused_absence", "absent")
    one = consecutive_finding(broken, strict)
    assert (one.level, one.missed) == (Level.NONE, 1)
    assert one.evidence == "Absent 1 school day in a row, on 1 Dec (1 session)"
    assert consecutive_finding(days("absent", "present"), strict).evidence == (
        "Present on the latest school day"
    )
    # a chronic absentee who came back today has the absence alert, not the consecutive one
    back = attendance_findings(days("absent", "absent", "absent", "present"), strict)
    assert [f.level for f in back] == [Level.ALERT, Level.NONE]


def test_the_rule_based_scorer_takes_the_institutions_chronic_percent() -> None:
    f = StudentFeatures(STUDENT, FIRST, 20, 3.0, 0.15, 3, 0, 0, 0, 1, 0, 1.0)
    assert RuleBasedScorer().score(f).level == Level.ALERT
    assert RuleBasedScorer().with_thresholds(Thresholds(20)).score(f).level == Level.NONE


def test_the_rule_based_scorer_judges_the_grade_features_too() -> None:
    from edtech.insights.domain.features import GradeFeatures

    present = StudentFeatures(STUDENT, FIRST, 20, 0.0, 0.0, 0, 0, 0, 0, 0, 0, 0.0)
    scorer = RuleBasedScorer()
    assert scorer.score(present).level == Level.NONE
    assert scorer.score(present, GradeFeatures(2, 71.0, 0, 4.0, 1)).level == Level.NONE
    failing = scorer.score(present, GradeFeatures(2, 48.0, 1, 0.0, 0))
    assert failing.level == Level.ALERT
    assert failing.reasons[-1] == "1 of 2 courses below 60 % (lowest 48 %)"
    dropped = scorer.score(present, GradeFeatures(2, 71.0, 0, 14.0, 0))
    assert dropped.level == Level.ALERT
    assert dropped.reasons[-1] == "a course total down 14 points"
    missing = scorer.score(present, GradeFeatures(2, 71.0, 0, 0.0, 3))
    assert (missing.level, missing.reasons[-1]) == (Level.ALERT, "3 pieces of work missing")
    # At the institution's thresholds: a 14-point drop is under 20, 3 missing under 5.
    lenient = scorer.with_thresholds(Thresholds(grade_drop_points=20, missing_work=5))
    assert lenient.score(present, GradeFeatures(2, 71.0, 0, 14.0, 3)).level == Level.NONE


def maths(percent: str | None, previous: str | None = None, **kw: object) -> CourseStanding:
    return CourseStanding(
        section_id=uuid.uuid4(),
        title="Maths",
        school_id=SCHOOL,
        percent=None if percent is None else Decimal(percent),
        since=date(2026, 12, 4),
        previous_percent=None if previous is None else Decimal(previous),
        previous_since=date(2026, 11, 20) if previous else None,
        **kw,  # type: ignore[arg-type]
    )


def test_a_course_below_the_failing_percent_is_an_alert_with_its_total_and_a_link() -> None:
    course = maths("48.0")
    finding = failing_finding(STUDENT, [course])
    assert finding.level == Level.ALERT
    assert finding.evidence == "Maths total 48 % (below 60 %)"
    assert (finding.missed, finding.counted, finding.school_id) == (1, 1, SCHOOL)
    assert finding.links == (
        {
            "rel": "grades",
            "href": f"/api/v1/sections/{course.section_id}/students/{STUDENT}/grades",
        },
    )
    assert failing_finding(STUDENT, [course], Thresholds(failing_percent=40)).level == Level.NONE
    assert failing_finding(STUDENT, [maths(None)]).evidence == "No published course totals yet."


def test_a_drop_since_the_previous_publication_says_by_how_much_and_since_when() -> None:
    finding = drop_finding(STUDENT, [maths("48.0", "62.0")])
    assert finding.level == Level.ALERT
    assert finding.evidence == "Maths total 48 %, down 14 points since 20 Nov"
    assert drop_finding(
        STUDENT, [maths("48.0", "62.0")], Thresholds(grade_drop_points=15)
    ).level == (Level.NONE)
    assert drop_finding(STUDENT, [maths("70.0", "62.0")]).level == Level.NONE  # a rise


def test_missing_work_counts_over_courses_and_links_each_assessment() -> None:
    a, b = uuid.uuid4(), uuid.uuid4()
    courses = [
        maths("70.0", missing=(a, b)),
        CourseStanding(
            uuid.uuid4(), "Science", SCHOOL, Decimal(80), FIRST, missing=(uuid.uuid4(),)
        ),
    ]
    finding = missing_finding(STUDENT, courses)
    assert finding.level == Level.ALERT
    assert finding.evidence == "3 pieces of work missing: Maths 2, Science 1"
    assert finding.links[0] == {"rel": "assessment", "href": f"/api/v1/assessments/{a}"}
    assert missing_finding(STUDENT, courses, Thresholds(missing_work=4)).level == Level.NONE


def test_a_half_day_may_not_ask_more_than_a_full_day() -> None:
    assert Thresholds(full_day_percent=80, half_day_percent=40).day_rule.full_percent == 80
    with pytest.raises(InvalidError) as refused:
        Thresholds(full_day_percent=50, half_day_percent=60)
    assert [p.loc for p in refused.value.problems] == [("half_day_percent",)]
