"""The notifications' rules without I/O: mandatory categories, defaults, quiet hours in the
school's zone, the ladder per category and what makes a rung unnecessary."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from edtech.kernel.errors import InvalidError
from edtech.notifications.domain import (
    Category,
    Channel,
    Delays,
    Preferences,
    Progress,
    QuietHours,
    Unless,
    choose,
    plan,
)

NY = ZoneInfo("America/New_York")
DELAYS = Delays(timedelta(minutes=2), timedelta(minutes=30), timedelta(minutes=15))


def at_school(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, 2, hour, minute, tzinfo=NY).astimezone(UTC)


def test_switching_off_email_or_push_of_a_mandatory_category_is_refused_naming_each() -> None:
    with pytest.raises(InvalidError) as refused:
        choose(
            {
                (Category.ABSENCE, Channel.EMAIL): False,
                (Category.URGENT_ANNOUNCEMENT, Channel.PUSH): False,
                (Category.ANNOUNCEMENT, Channel.PUSH): False,
            },
            None,
            None,
        )
    fields = {p.loc for p in refused.value.problems}
    assert fields == {
        ("categories", "absence", "email"),
        ("categories", "urgent_announcement", "push"),
    }


def test_sms_is_opt_in_even_for_mandatory_categories_and_needs_a_number() -> None:
    assert not Preferences().enabled(Category.ABSENCE, Channel.SMS)
    with pytest.raises(InvalidError):
        choose({(Category.ABSENCE, Channel.SMS): True}, None, None)
    prefs = choose({(Category.ABSENCE, Channel.SMS): True}, None, "+15551234567")
    assert prefs.enabled(Category.ABSENCE, Channel.SMS)


def test_a_stored_switch_cannot_turn_a_mandatory_channel_off() -> None:
    prefs = Preferences({(Category.ABSENCE, Channel.EMAIL): False})
    assert prefs.enabled(Category.ABSENCE, Channel.EMAIL)


def test_absence_ladder_pushes_after_the_push_delay_then_emails_after_the_email_delay() -> None:
    created = at_school(9)
    rungs = plan(Category.ABSENCE, Preferences(), created, NY, DELAYS)
    assert [(r.channel, r.at - created, r.unless) for r in rungs] == [
        (Channel.PUSH, timedelta(minutes=2), Unless.SEEN),
        (Channel.EMAIL, timedelta(minutes=30), Unless.READ),
    ]


def test_a_switched_off_channel_is_left_out_of_the_ladder() -> None:
    prefs = choose({(Category.ANNOUNCEMENT, Channel.PUSH): False}, None, None)
    rungs = plan(Category.ANNOUNCEMENT, prefs, at_school(9), NY, DELAYS)
    assert [r.channel for r in rungs] == [Channel.EMAIL]


def test_quiet_hours_in_the_school_zone_hold_a_rung_until_they_end() -> None:
    prefs = choose({}, QuietHours(time(21, 0), time(7, 0)), None)
    created = at_school(22, 30)  # 22:30 New York is 03:30 UTC the next day
    rungs = plan(Category.ABSENCE, prefs, created, NY, DELAYS)
    next_morning = datetime(2026, 3, 3, 7, 0, tzinfo=NY).astimezone(UTC)
    assert [r.at for r in rungs] == [next_morning, next_morning]


def test_urgent_announcements_bypass_quiet_hours_and_go_by_push_and_email_at_once() -> None:
    prefs = choose({}, QuietHours(time(21, 0), time(7, 0)), "+15551234567")
    prefs = choose(
        {(Category.URGENT_ANNOUNCEMENT, Channel.SMS): True}, prefs.quiet_hours, "+15551234567"
    )
    created = at_school(23)
    rungs = plan(Category.URGENT_ANNOUNCEMENT, prefs, created, NY, DELAYS)
    assert [(r.channel, r.at - created) for r in rungs] == [
        (Channel.PUSH, timedelta(0)),
        (Channel.EMAIL, timedelta(0)),
        (Channel.SMS, timedelta(minutes=15)),
    ]


def test_outside_quiet_hours_nothing_waits() -> None:
    hours = QuietHours(time(21, 0), time(7, 0))
    assert hours.ends_after(at_school(12), NY) is None
    assert hours.ends_after(at_school(6, 59), NY) == at_school(7)


def test_reading_stops_every_rung_and_seeing_only_those_that_wait_for_it() -> None:
    read = Progress(read=True, seen=True, sent_channels=frozenset())
    assert read.skips(Unless.READ) == "read"
    seen = Progress(read=False, seen=True, sent_channels=frozenset())
    assert seen.skips(Unless.SEEN) == "seen"
    assert seen.skips(Unless.READ) is None
    reached = Progress(read=False, seen=False, sent_channels=frozenset({Channel.EMAIL}))
    assert reached.skips(Unless.REACHED) == "reached"
    assert reached.skips(Unless.SEEN) is None
