"""A principal's school day: in the zone its sign-in read, never the UTC date."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from edtech.kernel.principal import Principal

# 03:30 UTC on 6 January: still 5 January in New York, already the 6th in Tokyo
AT = datetime(2026, 1, 6, 3, 30, tzinfo=UTC)


def principal(timezone: str | None) -> Principal:
    someone = uuid.uuid4()
    return Principal(someone, someone, uuid.uuid4(), "Someone", timezone=timezone)


def test_the_school_day_is_judged_in_the_zone_read_at_sign_in() -> None:
    assert principal("America/New_York").school_day(AT) == date(2026, 1, 5)
    assert principal("Asia/Tokyo").school_day(AT) == date(2026, 1, 6)
    assert principal("Nowhere/Atlantis").school_day(AT) == date(2026, 1, 6)  # as UTC


def test_a_principal_without_a_zone_has_no_school_day() -> None:
    assert principal(None).school_day(AT) is None
