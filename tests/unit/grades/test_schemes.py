"""Grading schemes: entries become points; percentages get letters; bad schemes are refused."""

from __future__ import annotations

from decimal import Decimal

import pytest

from edtech.grades.domain import GradingScheme, LetterBand, SchemeKind
from edtech.kernel.errors import InvalidError
from edtech.kernel.ids import new_id
from tests.unit.grades.factories import INSTITUTION, letter_scheme, points_scheme

TEN = Decimal(10)


def scheme(kind: SchemeKind, **kw: object) -> GradingScheme:
    return GradingScheme(id=new_id(), institution_id=INSTITUTION, name="S", kind=kind, **kw)  # type: ignore[arg-type]


def test_points_entry_is_the_points_and_is_stored_plainly() -> None:
    assert points_scheme().to_points(" 8.50 ", TEN) == (Decimal("8.50"), "8.5")


def test_percent_entry_is_a_share_of_the_maximum() -> None:
    points, entered = scheme(SchemeKind.PERCENT).to_points("85%", Decimal(20))
    assert points == Decimal(17)
    assert entered == "85"


def test_letter_entry_counts_as_the_bottom_of_its_band_by_default() -> None:
    points, entered = letter_scheme().to_points("b", TEN)
    assert (points, entered) == (Decimal(8), "B")


def test_letter_band_can_say_what_the_letter_is_worth() -> None:
    bands = (LetterBand("A", Decimal(90), Decimal(95)), LetterBand("F", Decimal(0)))
    assert scheme(SchemeKind.LETTER, bands=bands).to_points("A", TEN)[0] == Decimal("9.5")


def test_unknown_letter_names_the_letters_the_scheme_has() -> None:
    with pytest.raises(ValueError, match=r"'E' is not a letter .* A, B, C, D, F"):
        letter_scheme().to_points("E", TEN)


def test_pass_is_full_marks_and_fail_is_zero() -> None:
    s = scheme(SchemeKind.PASS_FAIL, pass_percent=Decimal(50))
    assert s.to_points("Pass", TEN) == (TEN, "pass")
    assert s.to_points("fail", TEN) == (Decimal(0), "fail")
    with pytest.raises(ValueError, match="expected pass or fail"):
        s.to_points("maybe", TEN)


@pytest.mark.parametrize("entry", ["abc", "NaN", "Infinity", "1.23456", ""])
def test_points_entry_must_be_a_finite_number_with_four_decimals_at_most(entry: str) -> None:
    with pytest.raises(ValueError, match=r"number|decimal places"):
        points_scheme().to_points(entry, TEN)


@pytest.mark.parametrize(
    ("percent", "letter"),
    [(Decimal(100), "A"), (Decimal(90), "A"), (Decimal("89.9"), "B"), (Decimal(0), "F")],
)
def test_letter_for_a_percentage_is_the_band_it_reaches(percent: Decimal, letter: str) -> None:
    assert letter_scheme().letter_for(percent) == letter


def test_pass_fail_letter_and_points_have_none() -> None:
    s = scheme(SchemeKind.PASS_FAIL, pass_percent=Decimal(60))
    assert s.letter_for(Decimal(60)) == "pass"
    assert s.letter_for(Decimal("59.9")) == "fail"
    assert points_scheme().letter_for(Decimal(50)) is None


def _locs(exc: pytest.ExceptionInfo[InvalidError]) -> list[tuple[str | int, ...]]:
    return [p.loc for p in exc.value.problems]


def test_letter_bands_must_descend_be_distinct_and_end_at_zero() -> None:
    bands = (
        LetterBand("A", Decimal(80)),
        LetterBand("a", Decimal(90)),
        LetterBand("C", Decimal(5)),
    )
    with pytest.raises(InvalidError) as exc:
        scheme(SchemeKind.LETTER, bands=bands)
    assert ("bands", 1, "letter") in _locs(exc)
    assert ("bands", 1, "min_percent") in _locs(exc)
    assert ("bands", 2, "min_percent") in _locs(exc)


def test_letter_scheme_needs_bands_and_value_inside_its_band() -> None:
    with pytest.raises(InvalidError) as exc:
        scheme(SchemeKind.LETTER)
    assert _locs(exc) == [("bands",)]
    bands = (LetterBand("A", Decimal(90)), LetterBand("F", Decimal(0), Decimal(90)))
    with pytest.raises(InvalidError) as exc:
        scheme(SchemeKind.LETTER, bands=bands)
    assert _locs(exc) == [("bands", 1, "value_percent")]


def test_pass_mark_only_for_pass_fail_and_required_there() -> None:
    with pytest.raises(InvalidError) as exc:
        scheme(SchemeKind.PASS_FAIL)
    assert _locs(exc) == [("pass_percent",)]
    with pytest.raises(InvalidError) as exc:
        scheme(SchemeKind.POINTS, pass_percent=Decimal(50))
    assert _locs(exc) == [("pass_percent",)]
    with pytest.raises(InvalidError):
        scheme(SchemeKind.POINTS, bands=(LetterBand("A", Decimal(0)),))
