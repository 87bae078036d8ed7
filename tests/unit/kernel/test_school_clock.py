"""The school clock: the date at the school, never the UTC date, at every midnight instant."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from edtech.kernel.clock import FixedClock, SchoolClock, school_zone
from tests.midnight import MATRIX, NIGHTS, ZONES, Instant


def test_today_is_the_date_at_the_school_at_every_instant_of_the_midnight_matrix(
    midnight_instant: Instant,
) -> None:
    clock = SchoolClock(FixedClock(midnight_instant.at), midnight_instant.zone)
    assert clock.today() == midnight_instant.school_day
    assert clock.day_of(midnight_instant.at) == midnight_instant.school_day
    assert clock.now() == midnight_instant.at  # instants stay UTC


def test_the_matrix_holds_instants_where_the_utc_date_is_another_day_in_every_zone() -> None:
    for zone in ZONES:
        assert any(i.utc_day_differs for i in MATRIX if i.zone == zone), zone


def test_a_day_starts_and_ends_at_local_midnight_and_lasts_23_or_25_hours_across_dst() -> None:
    la = SchoolClock(FixedClock(datetime(2027, 1, 1, tzinfo=UTC)), "America/Los_Angeles")
    start, end = la.day_bounds(date(2027, 3, 14))
    assert start == datetime(2027, 3, 14, 8, tzinfo=UTC)
    assert end - start == timedelta(hours=23)
    start, end = la.day_bounds(date(2027, 11, 7))
    assert end - start == timedelta(hours=25)
    london = SchoolClock(la.clock, "Europe/London")
    assert london.at(date(2027, 7, 1), time(8, 0)) == datetime(2027, 7, 1, 7, tzinfo=UTC)


def test_every_instant_of_a_day_falls_on_that_day_and_the_next_instant_on_the_next() -> None:
    for zone in ZONES:
        for night in NIGHTS:
            clock = SchoolClock(FixedClock(datetime(2027, 1, 1, tzinfo=UTC)), zone)
            start, end = clock.day_bounds(night)
            assert clock.day_of(start) == night
            assert clock.day_of(end - timedelta(microseconds=1)) == night
            assert clock.day_of(end) == night + timedelta(days=1)


def test_a_school_without_a_known_zone_keeps_utc() -> None:
    assert school_zone(None).key == "UTC"
    assert school_zone("Not/AZone").key == "UTC"
