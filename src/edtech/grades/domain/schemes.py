"""Grading schemes: how an entry (points, a percent, a letter, pass/fail) becomes points."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

from edtech.kernel.errors import FieldProblem, InvalidError

HUNDRED = Decimal(100)
MAX_DECIMALS = 4
"""Scores, maxima and band limits carry at most four decimal places."""


class SchemeKind(enum.StrEnum):
    """What a teacher types into a cell of an assessment using the scheme."""

    POINTS = "points"
    PERCENT = "percent"
    LETTER = "letter"
    PASS_FAIL = "pass_fail"


PASS = "pass"
FAIL = "fail"


def parse_decimal(text: str, what: str) -> Decimal:
    """Read a finite decimal with at most four decimal places, or raise `ValueError` saying why."""
    try:
        value = Decimal(text.strip())
    except (InvalidOperation, AttributeError):
        raise ValueError(f"{text!r} is not a number") from None
    if not value.is_finite():
        raise ValueError(f"{what} must be a finite number")
    if _too_precise(value):
        raise ValueError(f"{what} has more than {MAX_DECIMALS} decimal places")
    return value


def _too_precise(value: Decimal) -> bool:
    exponent = value.as_tuple().exponent
    return isinstance(exponent, int) and exponent < -MAX_DECIMALS


def plain(value: Decimal) -> str:
    """A decimal as people write it: no exponent, no trailing zeros ("8.5", "90")."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text if text not in ("-0", "") else "0"


@dataclass(frozen=True)
class LetterBand:
    """A letter given from `min_percent` (inclusive) up to the next band's minimum.

    Entering the letter counts as `value_percent` of the maximum; by default the band's
    minimum, so an entered "B" always totals as a B.
    """

    letter: str
    min_percent: Decimal
    value_percent: Decimal | None = None

    @property
    def entry_percent(self) -> Decimal:
        return self.min_percent if self.value_percent is None else self.value_percent


@dataclass(eq=False, kw_only=True)
class GradingScheme:
    """An institution's scheme: points, percent, letter bands (highest first), or pass/fail.

    Letter bands start at distinct minimums, highest first, and the lowest starts at 0 so
    every percentage has a letter. Pass/fail passes at `pass_percent` and above.
    """

    id: uuid.UUID
    institution_id: uuid.UUID
    name: str
    kind: SchemeKind
    bands: tuple[LetterBand, ...] = field(default_factory=tuple)
    pass_percent: Decimal | None = None
    created_at: datetime | None = None

    def __post_init__(self) -> None:
        problems = scheme_problems(self.name, self.kind, self.bands, self.pass_percent)
        if problems:
            raise InvalidError("invalid grading scheme", problems)

    def to_points(self, entry: str, max_points: Decimal) -> tuple[Decimal, str]:
        """Turn an entry into (points, the entry as stored), or raise `ValueError` saying why."""
        if self.kind is SchemeKind.POINTS:
            points = parse_decimal(entry, "the score")
            return points, plain(points)
        if self.kind is SchemeKind.PERCENT:
            percent = parse_decimal(entry.strip().removesuffix("%"), "the percentage")
            return percent * max_points / HUNDRED, plain(percent)
        if self.kind is SchemeKind.LETTER:
            wanted = entry.strip().upper()
            for band in self.bands:
                if band.letter.upper() == wanted:
                    return band.entry_percent * max_points / HUNDRED, band.letter
            letters = ", ".join(b.letter for b in self.bands)
            raise ValueError(
                f"{entry!r} is not a letter of scheme {self.name!r}; expected one of {letters}"
            )
        wanted = entry.strip().lower()
        if wanted == PASS:
            return max_points, PASS
        if wanted == FAIL:
            return Decimal(0), FAIL
        raise ValueError(
            f"{entry!r} is not a grade of pass/fail scheme {self.name!r}; expected pass or fail"
        )

    def letter_for(self, percent: Decimal) -> str | None:
        """The letter (or pass/fail) a percentage earns; None for points and percent schemes."""
        if self.kind is SchemeKind.LETTER:
            for band in self.bands:
                if percent >= band.min_percent:
                    return band.letter
            return self.bands[-1].letter
        if self.kind is SchemeKind.PASS_FAIL:
            assert self.pass_percent is not None
            return PASS if percent >= self.pass_percent else FAIL
        return None


def scheme_problems(
    name: str, kind: SchemeKind, bands: tuple[LetterBand, ...], pass_percent: Decimal | None
) -> list[FieldProblem]:
    """Everything wrong with a scheme's fields, each named by its location."""
    problems: list[FieldProblem] = []
    if not name.strip() or len(name) > 100:
        problems.append(FieldProblem(("name",), "must be 1 to 100 characters"))
    if kind is SchemeKind.LETTER:
        if not bands:
            problems.append(FieldProblem(("bands",), "a letter scheme needs at least one band"))
        seen: set[str] = set()
        for i, band in enumerate(bands):
            letter = band.letter.strip()
            if not letter or len(letter) > 8 or letter.lower() in (PASS, FAIL):
                problems.append(FieldProblem(("bands", i, "letter"), "must be 1 to 8 characters"))
            elif letter.upper() in seen:
                problems.append(FieldProblem(("bands", i, "letter"), f"{letter!r} appears twice"))
            seen.add(letter.upper())
            if not 0 <= band.min_percent <= HUNDRED:
                problems.append(
                    FieldProblem(("bands", i, "min_percent"), "must be between 0 and 100")
                )
            for field, value in (
                ("min_percent", band.min_percent),
                ("value_percent", band.value_percent),
            ):
                if value is not None and _too_precise(value):
                    problems.append(
                        FieldProblem(("bands", i, field), f"at most {MAX_DECIMALS} decimal places")
                    )
            if i > 0 and band.min_percent >= bands[i - 1].min_percent:
                problems.append(
                    FieldProblem(("bands", i, "min_percent"), "bands must be ordered highest first")
                )
            if band.value_percent is not None:
                upper = HUNDRED if i == 0 else bands[i - 1].min_percent
                inside = band.min_percent <= band.value_percent <= upper
                if not inside or (i > 0 and band.value_percent == upper):
                    problems.append(
                        FieldProblem(("bands", i, "value_percent"), "must lie inside the band")
                    )
        if bands and bands[-1].min_percent != 0:
            problems.append(
                FieldProblem(
                    ("bands", len(bands) - 1, "min_percent"), "the lowest band must start at 0"
                )
            )
    elif bands:
        problems.append(FieldProblem(("bands",), f"a {kind.value} scheme has no letter bands"))
    if kind is SchemeKind.PASS_FAIL:
        if pass_percent is None or not 0 < pass_percent <= HUNDRED:
            problems.append(FieldProblem(("pass_percent",), "must be above 0 and at most 100"))
        elif _too_precise(pass_percent):
            problems.append(
                FieldProblem(("pass_percent",), f"at most {MAX_DECIMALS} decimal places")
            )
    elif pass_percent is not None:
        problems.append(FieldProblem(("pass_percent",), "only pass/fail schemes have a pass mark"))
    return problems
