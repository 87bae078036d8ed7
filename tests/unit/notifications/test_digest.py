"""The daily digest's rules: the school's day and hour (never UTC's), what may be held."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from edtech.kernel.errors import InvalidError
from edtech.notifications.domain import MANDATORY, Category, Preferences, choose
from edtech.notifications.domain.digest import digest_slot, next_slot
from edtech.notifications.domain.templates import digest_html, digest_text

LA = ZoneInfo("America/Los_Angeles")
KIRITIMATI = ZoneInfo("Pacific/Kiritimati")


def test_a_notification_before_the_hour_goes_in_that_school_days_digest() -> None:
    # 12:00 in Los Angeles on Friday 4 December: 20:00 UTC.
    day, due = digest_slot(datetime(2026, 12, 4, 20, 0, tzinfo=UTC), 17, LA)
    assert day == date(2026, 12, 4)
    assert due == datetime(2026, 12, 5, 1, 0, tzinfo=UTC)  # the UTC date is already Saturday


def test_after_the_hour_it_waits_for_the_next_school_day_not_the_next_utc_day() -> None:
    # 18:00 on Friday in Los Angeles is 02:00 UTC on Saturday: Saturday's digest, 17:00 LA.
    day, due = digest_slot(datetime(2026, 12, 5, 2, 0, tzinfo=UTC), 17, LA)
    assert day == date(2026, 12, 5)
    assert due == datetime(2026, 12, 6, 1, 0, tzinfo=UTC)
    # 10:00 UTC on Friday is already Saturday 00:00 at Kiritimati (UTC+14).
    day, due = digest_slot(datetime(2026, 12, 4, 10, 0, tzinfo=UTC), 8, KIRITIMATI)
    assert (day, due) == (date(2026, 12, 5), datetime(2026, 12, 4, 18, 0, tzinfo=UTC))


def test_the_next_digest_keeps_its_wall_clock_hour_across_daylight_saving() -> None:
    # Saturday 7 March 2026 17:00 PST (01:00 UTC Sunday); DST starts on Sunday 8 March.
    day, due = next_slot(date(2026, 3, 7), datetime(2026, 3, 8, 1, 0, tzinfo=UTC), LA)
    assert (day, due) == (date(2026, 3, 8), datetime(2026, 3, 9, 0, 0, tzinfo=UTC))


def test_only_what_the_person_chose_and_no_mandatory_category_is_held() -> None:
    prefs = Preferences(digest=frozenset({Category.GRADE_PUBLISHED, Category.BILLING}))
    assert prefs.holds(Category.GRADE_PUBLISHED)
    assert not prefs.holds(Category.MESSAGE)
    assert not prefs.holds(Category.BILLING, MANDATORY | {Category.BILLING})
    assert prefs.hour == 18


@pytest.mark.parametrize(
    ("digest", "hour", "loc"),
    [
        ({Category.URGENT_ANNOUNCEMENT}, None, ("digest", "urgent_announcement")),
        ({Category.ABSENCE}, None, ("digest", "absence")),
        (set(), 24, ("digest_hour",)),
    ],
)
def test_holding_a_mandatory_category_or_a_bad_hour_is_refused(
    digest: set[Category], hour: int | None, loc: tuple[str, ...]
) -> None:
    with pytest.raises(InvalidError) as refused:
        choose({}, None, None, MANDATORY, None, frozenset(digest), hour)
    assert [p.loc for p in refused.value.problems] == [loc]


def test_the_digest_is_written_in_the_readers_language_with_each_item_and_its_link() -> None:
    items = [("A", "a.", "https://x.test/app/notifications/1"), ("B", "b.", "https://x.test/2")]
    title, body = digest_text("es", "Riverside", date(2026, 12, 4), items)
    assert title == "Riverside: su resumen del día, viernes 4 de diciembre"
    assert body == (
        "2 notificaciones desde su último resumen:\n\n"
        "A\na.\nhttps://x.test/app/notifications/1\n\nB\nb.\nhttps://x.test/2"
    )


def test_the_digests_html_links_each_item_to_its_notification_escaped() -> None:
    items = [("<A>", "a & b", "https://x.test/app/notifications/1?x=1&y=2")]
    page = digest_html("en", "Riverside", date(2026, 12, 4), items, "https://x.test/inbox")
    assert '<a href="https://x.test/app/notifications/1?x=1&amp;y=2"' in page
    assert "&lt;A&gt;</a></h2>" in page
    assert "a &amp; b" in page
    assert page.index("notifications/1") < page.index('href="https://x.test/inbox"')
