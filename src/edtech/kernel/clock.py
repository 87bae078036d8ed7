"""The clock port: every "now" in the domain comes from here, always timezone-aware UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class Clock(Protocol):
    """Tells the current instant in UTC."""

    def now(self) -> datetime: ...


class SystemClock:
    """The wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that only moves when told to (tests, replays)."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")
        self._at = at.astimezone(UTC)

    def now(self) -> datetime:
        return self._at

    def advance(self, delta: timedelta) -> None:
        self._at += delta


class SchoolClock:
    """What day is it at this school, and when that day starts and ends.

    Dates — whether a role or enrollment holds, a grade lock, a due date, which sessions to
    plan — are judged on the school's local calendar day in its IANA time zone, never on the
    UTC date: at 02:00 UTC on a Tuesday a school in Los Angeles is still on Monday, and one in
    Kiritimati (UTC+14) is already on Tuesday from 10:00 UTC on Monday. `now()` stays UTC
    (instants are stored in UTC); only dates are local.
    """

    def __init__(self, clock: Clock, zone: ZoneInfo | str) -> None:
        self.clock = clock
        self.zone = zone if isinstance(zone, ZoneInfo) else school_zone(zone)

    def now(self) -> datetime:
        return self.clock.now()

    def local(self, at: datetime | None = None) -> datetime:
        """`at` (default now) on the school's wall clock."""
        return (at or self.clock.now()).astimezone(self.zone)

    def today(self) -> date:
        return self.local().date()

    def day_of(self, at: datetime) -> date:
        """The school day an instant falls on."""
        return self.local(at).date()

    def at(self, day: date, wall: time) -> datetime:
        """The UTC instant of wall-clock `wall` on `day` at the school (a time skipped by a
        daylight-saving jump resolves as `zoneinfo` does, fold 0)."""
        return datetime.combine(day, wall, self.zone).astimezone(UTC)

    def day_bounds(self, day: date) -> tuple[datetime, datetime]:
        """[start, end) of `day` at the school, as UTC instants (23 or 25 hours across DST)."""
        return self.at(day, time(0)), self.at(day + timedelta(days=1), time(0))


def school_zone(name: str | None) -> ZoneInfo:
    """The zone named `name` (an IANA key); UTC when the school has none recorded."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")
