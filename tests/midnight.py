"""The midnight matrix: instants around local midnight in three zones (UTC+14, UTC±0/+1 and
UTC−8/−7), including the nights daylight saving begins and ends, with the school date each
instant falls on. Date-sensitive tests run at every one of them on a clock they control.

`MATRIX` is a list of `Instant`s; `midnight_instant` is a fixture parametrised over it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

ZONES = ("Pacific/Kiritimati", "Europe/London", "America/Los_Angeles")
NIGHTS = (
    date(2027, 3, 14),  # America/Los_Angeles springs forward (02:00 → 03:00)
    date(2027, 3, 28),  # Europe/London springs forward (01:00 → 02:00)
    date(2027, 10, 31),  # Europe/London falls back
    date(2027, 11, 7),  # America/Los_Angeles falls back
    date(2027, 1, 18),  # an ordinary Monday night
)
OFFSETS = (timedelta(seconds=-1), timedelta(0), timedelta(seconds=1), timedelta(hours=1))
"""Just before local midnight, on it, just after it, and an hour after it."""


@dataclass(frozen=True)
class Instant:
    zone: str
    at: datetime
    """The UTC instant."""
    school_day: date
    """The date at the school at that instant (the one every date rule must use)."""

    @property
    def utc_day_differs(self) -> bool:
        return self.at.date() != self.school_day

    def __str__(self) -> str:
        return f"{self.zone}@{self.at.isoformat()}"


def _matrix(nights: tuple[date, ...], offsets: tuple[timedelta, ...]) -> list[Instant]:
    out: list[Instant] = []
    for zone in ZONES:
        tz = ZoneInfo(zone)
        for night in nights:
            midnight = datetime.combine(night, time(0), tz).astimezone(UTC)
            for offset in offsets:
                at = midnight + offset
                out.append(Instant(zone, at, at.astimezone(tz).date()))
    return out


MATRIX = _matrix(NIGHTS, OFFSETS)
BOUNDED = _matrix((NIGHTS[1], NIGHTS[4]), OFFSETS[:2])


def profile() -> list[Instant]:
    """The instants integration tests walk: the whole matrix with `EDTECH_MIDNIGHT_FULL=1`,
    else a bounded profile — every zone on London's spring-forward night and an ordinary
    night, each instant around midnight (the unit tests always run the whole matrix)."""
    return MATRIX if os.environ.get("EDTECH_MIDNIGHT_FULL") == "1" else BOUNDED


@pytest.fixture(params=MATRIX, ids=str)
def midnight_instant(request: pytest.FixtureRequest) -> Instant:
    """One instant of the midnight matrix (the test runs once per instant)."""
    instant: Instant = request.param
    return instant
