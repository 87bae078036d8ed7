"""The feature table's row of a student and the rule-based scorer."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from edtech.insights.domain import Level
from edtech.insights.domain.features import (
    FEATURES,
    GradeFeatures,
    RuleBasedScorer,
    StudentFeatures,
    student_features,
)
from edtech.insights.domain.measures import PeriodMark

A = uuid.UUID(int=1)
DAY1 = date(2026, 9, 1)


def marks(pattern: str) -> list[PeriodMark]:
    """One period a day: `p` present, `a` absent, `e` excused."""
    category = {"p": "present", "a": "absent", "e": "excused_absence"}
    return [
        PeriodMark(A, uuid.UUID(int=100 + i), DAY1 + timedelta(days=i), category[c], None, None)
        for i, c in enumerate(pattern)
    ]


def test_every_documented_feature_is_a_column_of_the_row() -> None:
    columns = set(StudentFeatures.__dataclass_fields__) - {"student_id", "as_of"}
    assert columns | set(GradeFeatures.__dataclass_fields__) == set(FEATURES)


def test_features_count_up_to_as_of_and_the_last_ten_days() -> None:
    record = marks("a" + "p" * 10 + "ea" + "ppp")  # 16 days
    f = student_features(A, record, as_of=DAY1 + timedelta(days=12))  # the first 13 days
    assert (f.days_enrolled, f.days_absent, f.absences_unexcused, f.absences_excused) == (
        13,
        3.0,
        2,
        1,
    )
    assert f.recent_days_absent == 2.0  # days 4–13: the excused one and the absent one
    assert (f.longest_absence_streak, f.current_absence_streak) == (2, 2)
    assert f.absence_rate == round(3 / 13, 4)


def test_the_rule_based_scorer_alerts_at_ten_percent_of_days_with_its_reasons() -> None:
    scorer = RuleBasedScorer()
    at_ten = scorer.score(student_features(A, marks("a" + "p" * 9), DAY1 + timedelta(days=9)))
    assert at_ten.level == Level.ALERT
    assert at_ten.value == 0.1
    assert at_ten.reasons[0] == "10 % of enrolled days missed (1 of 10)"
    under = scorer.score(student_features(A, marks("a" + "p" * 10), DAY1 + timedelta(days=10)))
    assert under.level == Level.NONE
    assert scorer.score(student_features(A, [], DAY1)).level == Level.NONE


def test_grade_features_sum_up_the_published_totals() -> None:
    from decimal import Decimal

    from edtech.insights.domain.features import grade_features
    from edtech.insights.domain.thresholds import Thresholds

    totals = [
        (Decimal("48"), Decimal("62")),  # down 14
        (Decimal("75.5"), None),
        (Decimal("59.9"), Decimal("58")),  # up: no drop
        (None, Decimal("70")),  # nothing counted yet
    ]
    g = grade_features(totals, 4, Thresholds(failing_percent=60))
    assert (g.courses_with_total, g.lowest_course_total, g.failing_courses) == (3, 48.0, 2)
    assert (g.largest_grade_drop, g.missing_work) == (14.0, 4)
    none = grade_features([], 0, Thresholds())
    assert (none.courses_with_total, none.lowest_course_total, none.largest_grade_drop) == (
        0,
        None,
        0.0,
    )


def test_a_course_total_as_of_a_day_is_the_one_that_stood_then() -> None:
    from datetime import date
    from decimal import Decimal

    from edtech.insights.domain.features import SeenTotal, totals_as_of

    maths = SeenTotal(Decimal("48"), date(2026, 12, 1), Decimal("62"), date(2026, 11, 20))
    science = SeenTotal(Decimal("75"), date(2026, 11, 25))
    assert maths.as_of(date(2026, 12, 1)) == (Decimal("48"), Decimal("62"))
    assert maths.as_of(date(2026, 11, 30)) == (Decimal("62"), None)
    assert maths.as_of(date(2026, 11, 19)) is None
    assert totals_as_of([maths, science], date(2026, 11, 22)) == [(Decimal("62"), None)]
    assert totals_as_of([maths, science], date(2026, 11, 1)) == []
