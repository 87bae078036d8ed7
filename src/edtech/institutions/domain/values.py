"""Value rules shared by the roster: dated validity, time zones, locales and currencies."""

from __future__ import annotations

import re
import zoneinfo
from datetime import date

from edtech.kernel.errors import FieldProblem, InvalidError

_CURRENCY = re.compile(r"^[A-Z]{3}$")
# BCP 47 language tags as schools use them: "en", "en-US", "pt-BR", "zh-Hant-TW".
_LOCALE = re.compile(r"^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$")


def is_active(begins_on: date, ends_on: date | None, on: date) -> bool:
    """A dated assignment holds from `begins_on` (inclusive) until `ends_on` (exclusive).

    `ends_on` is the first day it no longer holds, so ending something "today" takes effect
    today; None means open-ended.
    """
    return begins_on <= on and (ends_on is None or on < ends_on)


def validate_dates(
    begins_on: date, ends_on: date | None, *, begins: str = "begins_on", ends: str = "ends_on"
) -> None:
    """An assignment cannot end before it begins."""
    if ends_on is not None and ends_on < begins_on:
        raise InvalidError(
            f"{ends} is before {begins}",
            [FieldProblem((ends,), f"must not be before {begins} ({begins_on.isoformat()})")],
        )


def timezone_problem(name: str, field: str = "timezone") -> FieldProblem | None:
    """An IANA time-zone name ("Europe/Berlin"), the zone meetings are scheduled in."""
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return FieldProblem((field,), f"unknown IANA time zone {name!r}")
    return None


def currency_problem(code: str, field: str = "currency") -> FieldProblem | None:
    """An ISO 4217 alphabetic currency code ("EUR", "JPY", "KWD")."""
    if not _CURRENCY.fullmatch(code):
        return FieldProblem((field,), "must be an ISO 4217 code of three capital letters")
    return None


def locale_problem(tag: str, field: str = "locale") -> FieldProblem | None:
    """A BCP 47 language tag such as "en-US"."""
    if not _LOCALE.fullmatch(tag):
        return FieldProblem((field,), "must be a BCP 47 language tag such as 'en-US'")
    return None


def raise_problems(message: str, *problems: FieldProblem | None) -> None:
    """Raise one InvalidError naming every bad field, or nothing when all are fine."""
    found = [p for p in problems if p is not None]
    if found:
        raise InvalidError(message, found)
