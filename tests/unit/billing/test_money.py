"""Money: exact parsing per ISO 4217 exponent, one rounding rule, largest-remainder allocation."""

from __future__ import annotations

import random

import pytest

from edtech.billing.domain.money import (
    CurrencyMismatchError,
    Money,
    allocate,
    exponent,
    percent_of,
    round_half_away,
)
from edtech.kernel.errors import InvalidError


@pytest.mark.parametrize(
    ("code", "exp"), [("EUR", 2), ("USD", 2), ("JPY", 0), ("KWD", 3), ("BHD", 3)]
)
def test_exponents_follow_iso_4217(code: str, exp: int) -> None:
    assert exponent(code) == exp


def test_unknown_currency_is_refused() -> None:
    with pytest.raises(InvalidError):
        Money(1, "XYZ")


@pytest.mark.parametrize(
    ("text", "code", "minor"),
    [("333.34", "EUR", 33334), ("1000", "JPY", 1000), ("1.234", "KWD", 1234), ("-0.5", "EUR", -50)],
)
def test_parse_is_exact(text: str, code: str, minor: int) -> None:
    assert Money.parse(text, code) == Money(minor, code)
    assert (
        Money(minor, code).format() == f"{Money.parse(text, code).to_decimal():.{exponent(code)}f}"
    )


@pytest.mark.parametrize(
    ("text", "code"),
    [("1.5", "JPY"), ("0.001", "EUR"), ("1.2345", "KWD"), ("abc", "EUR"), ("NaN", "EUR")],
)
def test_parse_never_rounds_silently(text: str, code: str) -> None:
    with pytest.raises(InvalidError):
        Money.parse(text, code)


def test_floats_are_refused() -> None:
    with pytest.raises(TypeError):
        Money(1.5, "EUR")  # type: ignore[arg-type]


def test_formats_with_the_currency_decimals() -> None:
    assert Money(5, "KWD").format() == "0.005"
    assert Money(5, "JPY").format() == "5"
    assert Money(-1234, "EUR").format() == "-12.34"


def test_mixing_currencies_fails() -> None:
    with pytest.raises(CurrencyMismatchError):
        Money(1, "EUR") + Money(1, "USD")


def test_rounding_is_half_away_from_zero() -> None:
    assert round_half_away(5, 10) == 1
    assert round_half_away(-5, 10) == -1
    assert round_half_away(4, 10) == 0
    assert percent_of(123457, 750) == 9259  # 9259.275
    assert percent_of(1234567, 750) == 92593  # 92592.525
    assert percent_of(10, 500) == 1  # 0.5 rounds up


def test_allocate_gives_leftovers_to_largest_remainders() -> None:
    assert allocate(100, [1, 1, 1]) == [34, 33, 33]
    assert allocate(-100, [1, 1, 1]) == [-34, -33, -33]
    assert allocate(5, [3, 7]) == [2, 3]  # 1.5 / 3.5: a tie goes to the earlier part
    assert allocate(0, [1, 2]) == [0, 0]


def test_allocate_always_sums_to_the_whole() -> None:
    rng = random.Random(8)
    for _ in range(500):
        total = rng.randint(-(10**9), 10**9)
        weights = [rng.randint(0, 1000) for _ in range(rng.randint(1, 12))]
        if not any(weights):
            weights[0] = 1
        parts = allocate(total, weights)
        assert sum(parts) == total
        for part, w in zip(parts, weights, strict=True):
            exact = abs(total) * w / sum(weights)
            assert abs(abs(part) - exact) < 1


def test_allocate_refuses_bad_weights() -> None:
    with pytest.raises(ValueError, match="at least one"):
        allocate(10, [])
    with pytest.raises(ValueError, match="all be zero"):
        allocate(10, [0, 0])
    with pytest.raises(ValueError, match="negative"):
        allocate(10, [1, -1])
