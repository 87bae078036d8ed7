"""How long an institution keeps its files, per category: the defaults (`RETENTION`) unless
the institution sets its own periods, within what the law and the files' purpose allow.

* Financial records (receipts, invoices, statements) are kept at least seven years, or as long
  as their record (no period).
* A record package is a copy made for one request: it must have a period, at most a year.
* Every other category: a period of 1 to 36,500 days, or none (kept as long as its record).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from edtech.files.domain import Category
from edtech.files.domain.erasure import RETENTION
from edtech.kernel.errors import FieldProblem, InvalidError

FINANCIAL = frozenset({Category.RECEIPT, Category.INVOICE, Category.STATEMENT})
MIN_FINANCIAL_DAYS = 2557
"""Seven years: the longest period accounting law commonly asks schools to keep records."""
MAX_DAYS = 36_500
MAX_PACKAGE_DAYS = 365

Periods = dict[Category, int | None]
"""Days each category is kept after its file was made; None: as long as its record."""

DEFAULTS: Periods = {c: None if keep is None else keep.days for c, keep in RETENTION.items()}


def bounds(category: Category) -> tuple[int, int, bool]:
    """(fewest days, most days, whether "no period" is allowed) for a category."""
    if category in FINANCIAL:
        return MIN_FINANCIAL_DAYS, MAX_DAYS, True
    if category is Category.RECORD_PACKAGE:
        return 1, MAX_PACKAGE_DAYS, False
    return 1, MAX_DAYS, True


def check_periods(changes: Mapping[Category, int | None]) -> None:
    """Refuse (422, one problem per category) periods outside `bounds`."""
    problems = []
    for category, days in changes.items():
        low, high, forever = bounds(category)
        if days is None and not forever:
            problems.append(FieldProblem(("periods", category.value), "needs a period in days"))
        elif days is not None and not low <= days <= high:
            problems.append(
                FieldProblem(("periods", category.value), f"must be between {low} and {high} days")
            )
    if problems:
        raise InvalidError("a retention period is out of range", problems)


def with_defaults(overrides: Mapping[Category, int | None]) -> Periods:
    """Every category's period: the institution's own where it set one, else the default."""
    return {c: overrides.get(c, DEFAULTS[c]) for c in Category if c in DEFAULTS}


def cutoff(days: int | None, now: datetime) -> datetime | None:
    """Files made at or before this instant are past their retention (None: never)."""
    return None if days is None else now - timedelta(days=days)
