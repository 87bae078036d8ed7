"""Constrained input types for request schemas: every date and instant is bounded at the edge.

Python and the databases hold years 1 to 9999, but an instant given with an offset may lie
outside them once in UTC (`9999-12-31T23:00:00-23:59`), and a date at either end overflows the
first day added to or taken from it. Nothing a school plans lies outside 1900-2999, so inputs
outside that span are refused with a 422 naming the field, before any arithmetic.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field

EARLIEST = date(1900, 1, 1)
LATEST = date(2999, 12, 31)
"""The span of dates and instants (in UTC) an input may name, both inclusive."""

_SPAN = f"between {EARLIEST.isoformat()} and {LATEST.isoformat()}"


def _bounded_datetime(value: datetime) -> datetime:
    try:
        day = value.astimezone(UTC).date()
    except OverflowError:
        raise ValueError(f"must lie {_SPAN} (UTC)") from None
    if not EARLIEST <= day <= LATEST:
        raise ValueError(f"must lie {_SPAN} (UTC)")
    return value


def _bounded_date(value: date) -> date:
    if not EARLIEST <= value <= LATEST:
        raise ValueError(f"must lie {_SPAN}")
    return value


BoundedDatetime = Annotated[
    AwareDatetime,
    AfterValidator(_bounded_datetime),
    Field(description=f"An ISO 8601 instant with its UTC offset, {_SPAN} once in UTC."),
]
"""A timezone-aware instant between 1900 and 2999 once converted to UTC."""

BoundedDate = Annotated[date, AfterValidator(_bounded_date)]
"""A calendar date between 1900-01-01 and 2999-12-31."""
