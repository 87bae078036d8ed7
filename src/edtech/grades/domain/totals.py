"""Totals that explain themselves: category percentages, weights, drops, and a sentence saying so.

Arithmetic is exact (fractions of the entered decimals); percentages are rounded once, half
up to one decimal place, only when shown. The same rule gives the published total (what
students and guardians see) and the teacher's total (drafts included).
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from edtech.grades.domain.gradebook import FULL_WEIGHT_PPM, Category, Weighting
from edtech.grades.domain.results import Flag, Mark
from edtech.grades.domain.schemes import GradingScheme, plain

ROUNDING = (
    "Computed exactly; percentages are rounded half up to one decimal place, once, for display."
)


class LineStatus(enum.StrEnum):
    """How one assessment entered a total."""

    COUNTED = "counted"
    MISSING = "missing_counted_as_zero"
    DROPPED = "dropped"
    EXCUSED = "excused"
    EXEMPT = "exempt"
    NOT_GRADED = "not_graded"


COUNTING = frozenset({LineStatus.COUNTED, LineStatus.MISSING})


def round_percent(value: Fraction) -> Decimal:
    """Round half up to one decimal place, exactly (no binary or decimal approximation first)."""
    # floor(n/d × 10 + 1/2) in integers
    tenths = (20 * value.numerator + value.denominator) // (2 * value.denominator)
    return Decimal(tenths).scaleb(-1)


def _percent_of(points: Decimal, maximum: Decimal) -> Fraction:
    """points × 100 / maximum, exactly: one fraction built from the decimals' integer ratios."""
    pn, pd = points.as_integer_ratio()
    mn, md = maximum.as_integer_ratio()
    return Fraction(pn * md * 100, pd * mn)


@dataclass(frozen=True)
class Item:
    """One assessment of the student, with the mark that counts in this view (None: no result)."""

    assessment_id: uuid.UUID
    title: str
    category_id: uuid.UUID
    max_points: Decimal
    mark: Mark | None


@dataclass(frozen=True)
class Line:
    assessment_id: uuid.UUID
    title: str
    points: Decimal | None
    max_points: Decimal
    status: LineStatus


@dataclass(frozen=True)
class CategoryTotal:
    category_id: uuid.UUID
    name: str
    weight_ppm: int
    drop_lowest: int
    points: Decimal
    max_points: Decimal
    percent: Decimal | None
    lines: tuple[Line, ...]
    exact: Fraction | None

    def as_data(self) -> dict[str, Any]:
        return {
            "category_id": str(self.category_id),
            "name": self.name,
            "weight_ppm": self.weight_ppm,
            "drop_lowest": self.drop_lowest,
            "points": plain(self.points),
            "max_points": plain(self.max_points),
            "percent": None if self.percent is None else str(self.percent),
            "assessments": [
                {
                    "assessment_id": str(line.assessment_id),
                    "title": line.title,
                    "points": None if line.points is None else plain(line.points),
                    "max_points": plain(line.max_points),
                    "status": line.status.value,
                }
                for line in self.lines
            ],
        }


@dataclass(frozen=True)
class Total:
    """A total with its derivation: the percent, its letter, and the sentence that explains it."""

    percent: Decimal | None
    letter: str | None
    weighting: Weighting
    text: str
    categories: tuple[CategoryTotal, ...]
    rounding: str = ROUNDING

    def as_data(self) -> dict[str, Any]:
        return {
            "percent": None if self.percent is None else str(self.percent),
            "letter": self.letter,
            "weighting": self.weighting.value,
            "text": self.text,
            "rounding": self.rounding,
            "categories": [c.as_data() for c in self.categories],
        }


def _line(item: Item) -> Line:
    mark = item.mark
    if mark is None or not mark.graded:
        status = LineStatus.NOT_GRADED
    elif Flag.EXCUSED in mark.flags:
        status = LineStatus.EXCUSED
    elif Flag.EXEMPT in mark.flags:
        status = LineStatus.EXEMPT
    elif mark.points is None:
        status = LineStatus.MISSING
    else:
        status = LineStatus.COUNTED
    points = Decimal(0) if status is LineStatus.MISSING else (mark.points if mark else None)
    return Line(item.assessment_id, item.title, points, item.max_points, status)


def _drop_lowest(lines: list[Line], count: int) -> list[Line]:
    """Drop the `count` lowest-percentage counted lines (earliest first on ties), never all."""
    counted = [i for i, line in enumerate(lines) if line.status in COUNTING]
    count = min(count, len(counted) - 1)
    if count <= 0:
        return lines
    ranked = sorted(
        counted, key=lambda i: (_percent_of(lines[i].points or Decimal(0), lines[i].max_points), i)
    )
    out = list(lines)
    for i in ranked[:count]:
        line = out[i]
        out[i] = Line(
            line.assessment_id, line.title, line.points, line.max_points, LineStatus.DROPPED
        )
    return out


def _category_total(category: Category, items: list[Item]) -> CategoryTotal:
    lines = _drop_lowest([_line(item) for item in items], category.drop_lowest)
    counting = [line for line in lines if line.status in COUNTING]
    points = sum((line.points or Decimal(0) for line in counting), Decimal(0))
    maximum = sum((line.max_points for line in counting), Decimal(0))
    exact = _percent_of(points, maximum) if maximum else None
    return CategoryTotal(
        category_id=category.id,
        name=category.name,
        weight_ppm=category.weight_ppm,
        drop_lowest=category.drop_lowest,
        points=points,
        max_points=maximum,
        percent=None if exact is None else round_percent(exact),
        lines=tuple(lines),
        exact=exact,
    )


def _weight(ppm: int) -> str:
    return plain(Decimal(ppm) / Decimal(FULL_WEIGHT_PPM))


def compute_total(
    *,
    weighting: Weighting,
    categories: list[Category],
    items: list[Item],
    scheme: GradingScheme | None,
) -> Total:
    """A student's total over the given items.

    Excused and exempt results are left out; ungraded ones are not counted; missing ones count
    as zero; each category drops its lowest percentages as configured (never all). A category
    scores its points over its maximum. Weighted: categories count by weight, and weights are
    rescaled over the categories that have grades. Unweighted: all points over all maxima.
    """
    by_category: dict[uuid.UUID, list[Item]] = {}
    for item in items:
        by_category.setdefault(item.category_id, []).append(item)
    totals = tuple(_category_total(c, by_category.get(c.id, [])) for c in categories)
    exact: Fraction | None
    if weighting is Weighting.WEIGHTED:
        present = [c for c in totals if c.exact is not None and c.weight_ppm > 0]
        weight_sum = sum(c.weight_ppm for c in present)
        if present:
            exact = sum(
                (Fraction(c.weight_ppm) * (c.exact or Fraction(0)) for c in present), Fraction(0)
            ) / Fraction(weight_sum)
            terms = " + ".join(f"{_weight(c.weight_ppm)} × {c.name} {c.percent}" for c in present)
            if weight_sum != FULL_WEIGHT_PPM:
                terms = f"({terms}) ÷ {_weight(weight_sum)}"
            body = terms
        else:
            exact = None
    else:
        points = sum((c.points for c in totals), Decimal(0))
        maximum = sum((c.max_points for c in totals), Decimal(0))
        exact = _percent_of(points, maximum) if maximum else None
        body = f"{plain(points)} / {plain(maximum)} points"
    if exact is None:
        return Total(None, None, weighting, "no graded results yet", totals)
    percent = round_percent(exact)
    letter = scheme.letter_for(percent) if scheme else None
    text = f"{percent} % = {body}"
    if letter:
        text += f" → {letter}"
    return Total(percent, letter, weighting, text, totals)
