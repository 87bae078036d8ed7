"""Totals: exact, explained, weighted or not, with drops, exclusions and one stated rounding."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from edtech.grades.domain import (
    ROUNDING,
    Category,
    Item,
    LineStatus,
    Mark,
    Weighting,
    compute_total,
)
from edtech.grades.domain.totals import round_percent
from edtech.kernel.ids import new_id
from tests.unit.grades.factories import letter_scheme, mark

HOMEWORK = Category(id=new_id(), name="Homework", weight_ppm=400_000)
TESTS = Category(id=new_id(), name="Tests", weight_ppm=600_000)


def item(category: Category, m: Mark | None, max_points: str = "100") -> Item:
    return Item(new_id(), "A", category.id, Decimal(max_points), m)


def total(items: list[Item], *, weighting: Weighting = Weighting.WEIGHTED, cats=None, scheme=None):  # type: ignore[no-untyped-def]
    return compute_total(
        weighting=weighting,
        categories=cats or [HOMEWORK, TESTS],
        items=items,
        scheme=scheme,
    )


def test_weighted_total_explains_itself() -> None:
    t = total(
        [
            item(HOMEWORK, mark("91")),
            item(TESTS, mark("85.2")),
        ],
        scheme=letter_scheme(),
    )
    # 0.4 × 91 + 0.6 × 85.2 = 36.4 + 51.12 = 87.52
    assert t.percent == Decimal("87.5")
    assert t.letter == "B"
    assert t.text == "87.5 % = 0.4 × Homework 91.0 + 0.6 × Tests 85.2 → B"
    assert t.rounding == ROUNDING
    data = t.as_data()
    assert data["categories"][0]["percent"] == "91.0"
    assert data["categories"][1]["assessments"][0]["status"] == "counted"


def test_category_percent_is_its_points_over_its_maximum() -> None:
    t = total([item(HOMEWORK, mark("9"), "10"), item(HOMEWORK, mark("1"), "30")], cats=[HOMEWORK])
    # (9 + 1) / (10 + 30) = 25 %, not the mean of 90 % and 3.3 %
    assert t.categories[0].percent == Decimal("25.0")
    assert t.percent == Decimal("25.0")


def test_weights_are_rescaled_over_categories_that_have_grades() -> None:
    t = total([item(HOMEWORK, mark("80")), item(TESTS, None)])
    assert t.percent == Decimal("80.0")
    assert t.text == "80.0 % = (0.4 × Homework 80.0) ÷ 0.4"


def test_excused_exempt_and_ungraded_are_left_out_and_missing_counts_zero() -> None:
    lines = [
        item(HOMEWORK, mark("50")),
        item(HOMEWORK, mark(None, "excused")),
        item(HOMEWORK, mark("0", "exempt")),
        item(HOMEWORK, Mark(comment="draft only")),
        item(HOMEWORK, None),
        item(HOMEWORK, mark(None, "missing")),
    ]
    t = total(lines, cats=[HOMEWORK])
    assert [line.status for line in t.categories[0].lines] == [
        LineStatus.COUNTED,
        LineStatus.EXCUSED,
        LineStatus.EXEMPT,
        LineStatus.NOT_GRADED,
        LineStatus.NOT_GRADED,
        LineStatus.MISSING,
    ]
    assert t.percent == Decimal("25.0")  # (50 + 0) / 200


def test_drop_lowest_drops_the_lowest_percentages_but_never_all() -> None:
    quizzes = Category(id=new_id(), name="Quizzes", weight_ppm=1_000_000, drop_lowest=2)
    t = total(
        [item(quizzes, mark("2"), "10"), item(quizzes, mark("50")), item(quizzes, mark("9"), "10")],
        cats=[quizzes],
    )
    assert [line.status for line in t.categories[0].lines] == [
        LineStatus.DROPPED,
        LineStatus.DROPPED,
        LineStatus.COUNTED,
    ]
    assert t.percent == Decimal("90.0")
    one = total([item(quizzes, mark("2"), "10")], cats=[quizzes])
    assert one.percent == Decimal("20.0")


def test_drop_ties_drop_the_earliest() -> None:
    quizzes = Category(id=new_id(), name="Quizzes", weight_ppm=1_000_000, drop_lowest=1)
    first, second = item(quizzes, mark("5"), "10"), item(quizzes, mark("50"))
    t = total([first, second], cats=[quizzes])
    assert t.categories[0].lines[0].status is LineStatus.DROPPED
    assert t.categories[0].lines[1].status is LineStatus.COUNTED


def test_unweighted_total_is_all_points_over_all_maxima() -> None:
    t = total(
        [item(HOMEWORK, mark("9"), "10"), item(TESTS, mark("40"), "50")],
        weighting=Weighting.UNWEIGHTED,
    )
    assert t.percent == Decimal("81.7")  # 49 / 60 = 81.666…
    assert t.text == "81.7 % = 49 / 60 points"


def test_extra_credit_can_push_a_total_above_100() -> None:
    t = total([item(HOMEWORK, mark("11", "extra_credit"), "10")], cats=[HOMEWORK])
    assert t.percent == Decimal("110.0")


def test_no_grades_means_no_total() -> None:
    t = total([item(HOMEWORK, None), item(TESTS, Mark(comment="x"))])
    assert t.percent is None
    assert t.letter is None
    assert t.text == "no graded results yet"


def test_rounding_is_exact_half_up_once() -> None:
    assert round_percent(Fraction(8725, 100)) == Decimal("87.3")
    assert round_percent(Fraction(87249999, 1000000)) == Decimal("87.2")
    assert round_percent(Fraction(2, 3) * 100) == Decimal("66.7")
    assert round_percent(Fraction(0)) == Decimal("0.0")


def test_total_uses_exact_category_values_not_rounded_ones() -> None:
    thirds = Category(id=new_id(), name="A", weight_ppm=500_000)
    other = Category(id=new_id(), name="B", weight_ppm=500_000)
    t = total([item(thirds, mark("1"), "3"), item(other, mark("1"), "3")], cats=[thirds, other])
    # exactly 33.333…, each category shown as 33.3; the total is rounded once
    assert t.percent == Decimal("33.3")
    assert t.text == "33.3 % = 0.5 × A 33.3 + 0.5 × B 33.3"


def test_teacher_and_published_views_differ_by_the_drafts() -> None:
    published = [item(HOMEWORK, mark("80")), item(TESTS, None)]
    drafts = [item(HOMEWORK, mark("80")), item(TESTS, mark("60"))]
    assert total(published).percent == Decimal("80.0")
    assert total(drafts).percent == Decimal("68.0")
