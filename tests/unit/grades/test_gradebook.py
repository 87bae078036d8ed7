"""Gradebooks and assessments: weights sum to 100 %, categories in use stay, versions guard."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from edtech.grades.domain import (
    Category,
    Gradebook,
    GradingPeriod,
    PostPolicy,
    Weighting,
)
from edtech.kernel.errors import ConflictError, InvalidError
from edtech.kernel.ids import new_id
from tests.unit.grades.factories import INSTITUTION, SECTION, assessment


def cat(name: str, ppm: int, drop: int = 0) -> Category:
    return Category(id=new_id(), name=name, weight_ppm=ppm, drop_lowest=drop)


def book(*categories: Category, weighting: Weighting = Weighting.WEIGHTED) -> Gradebook:
    return Gradebook(
        section_id=SECTION,
        institution_id=INSTITUTION,
        weighting=weighting,
        categories=list(categories),
    )


def test_weighted_gradebook_needs_weights_summing_to_exactly_100_percent() -> None:
    book(cat("Homework", 400_000), cat("Tests", 600_000))
    with pytest.raises(InvalidError) as exc:
        book(cat("Homework", 400_000), cat("Tests", 550_000))
    (problem,) = exc.value.problems
    assert problem.loc == ("categories",)
    assert problem.type == "weights_do_not_sum"
    assert "95 % (950000 ppm), not 100 %" in problem.message


def test_unweighted_gradebook_ignores_the_sum() -> None:
    book(cat("Homework", 0), cat("Tests", 10), weighting=Weighting.UNWEIGHTED)


def test_category_names_are_unique_and_fields_in_range() -> None:
    with pytest.raises(InvalidError) as exc:
        book(cat("Tests", 1_000_001), cat(" tests ", 0, drop=-1), cat("", 0))
    locs = {p.loc for p in exc.value.problems}
    assert {
        ("categories", 0, "weight_ppm"),
        ("categories", 1, "name"),
        ("categories", 1, "drop_lowest"),
        ("categories", 2, "name"),
        ("categories",),
    } <= locs


def test_reconfigure_refuses_to_remove_a_category_in_use_and_keeps_state() -> None:
    homework, tests = cat("Homework", 400_000), cat("Tests", 600_000)
    b = book(homework, tests)
    with pytest.raises(InvalidError) as exc:
        b.reconfigure(
            weighting=Weighting.WEIGHTED,
            post_policy=PostPolicy.AUTOMATIC,
            total_scheme_id=None,
            categories=[Category(id=tests.id, name="Tests", weight_ppm=1_000_000)],
            in_use={homework.id},
            expected_version=1,
        )
    assert exc.value.problems[0].type == "category_in_use"
    assert b.categories == [homework, tests]
    assert b.post_policy is PostPolicy.MANUAL
    assert b.version == 1


def test_reconfigure_applies_and_bumps_the_version() -> None:
    homework, tests = cat("Homework", 400_000), cat("Tests", 600_000)
    b = book(homework, tests)
    b.reconfigure(
        weighting=Weighting.WEIGHTED,
        post_policy=PostPolicy.AUTOMATIC,
        total_scheme_id=None,
        categories=[Category(id=tests.id, name="Tests", weight_ppm=1_000_000)],
        in_use={tests.id},
        expected_version=1,
    )
    assert [c.name for c in b.categories] == ["Tests"]
    assert b.post_policy is PostPolicy.AUTOMATIC
    assert b.version == 2


def test_reconfigure_on_a_stale_version_is_a_conflict() -> None:
    b = book(cat("All", 1_000_000))
    with pytest.raises(ConflictError, match="version 1, you sent 3"):
        b.reconfigure(
            weighting=Weighting.UNWEIGHTED,
            post_policy=PostPolicy.MANUAL,
            total_scheme_id=None,
            categories=[],
            in_use=set(),
            expected_version=3,
        )


def test_assessment_post_policy_defaults_to_the_gradebook() -> None:
    b = book(cat("All", 1_000_000))
    a = assessment()
    assert a.effective_post_policy(b) is PostPolicy.MANUAL
    a.post_policy = PostPolicy.AUTOMATIC
    assert a.effective_post_policy(b) is PostPolicy.AUTOMATIC


@pytest.mark.parametrize("max_points", ["0", "-1", "100001", "1.00001"])
def test_assessment_max_points_must_be_positive_and_sane(max_points: str) -> None:
    with pytest.raises(InvalidError) as exc:
        assessment(max_points)
    assert exc.value.problems[0].loc == ("max_points",)


def test_grading_period_locks_the_day_after_it_closes() -> None:
    period = GradingPeriod(new_id(), "Q1", date(2026, 9, 1), date(2026, 10, 31), date(2026, 11, 7))
    assert not period.is_locked(date(2026, 11, 7))
    assert period.is_locked(date(2026, 11, 8))
    assert not GradingPeriod(new_id(), "Q2", date(2026, 11, 1), date(2027, 1, 31), None).is_locked(
        date(2030, 1, 1)
    )


def test_max_points_with_decimals_is_fine() -> None:
    assert assessment("12.5").max_points == Decimal("12.5")
