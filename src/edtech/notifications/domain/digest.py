"""The daily digest: which notifications a person's digest holds, and when it goes out.

A person may ask for a category's notifications once a day, in one email, instead of at once
(push, email, SMS): those notifications are still in the app at once, and are held for the
digest of the school day whose digest hour comes next. Categories the institution made
mandatory, and urgent announcements, are never held. The day and the hour are the school's
(its time zone), never UTC's. Pure: no I/O.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from edtech.kernel.clock import SchoolClock
from edtech.kernel.errors import FieldProblem
from edtech.notifications.domain.categories import MANDATORY, Category

DEFAULT_DIGEST_HOUR = 18
"""The hour (school time) a digest goes out when the person chose none: after school."""

NEVER_HELD: frozenset[Category] = frozenset({Category.URGENT_ANNOUNCEMENT})
"""Categories no digest holds, whatever the institution's mandatory set."""


def may_digest(category: Category, mandatory: frozenset[Category] = MANDATORY) -> bool:
    """Whether `category` may wait for a digest: not an urgent announcement, not mandatory."""
    return category not in NEVER_HELD and category not in mandatory


def refuse_digests(
    digest: frozenset[Category], hour: int | None, mandatory: frozenset[Category]
) -> list[FieldProblem]:
    """Why these digest choices cannot be made (empty: they can)."""
    problems = [
        FieldProblem(
            ("digest", category.value),
            f"{category.value} notifications are sent at once: they cannot wait for a digest",
            "mandatory",
        )
        for category in sorted(digest)
        if not may_digest(category, mandatory)
    ]
    if hour is not None and not 0 <= hour <= 23:
        problems.append(FieldProblem(("digest_hour",), "must be an hour from 0 to 23"))
    return problems


def digest_slot(created_at: datetime, hour: int, zone: ZoneInfo) -> tuple[date, datetime]:
    """The school day whose digest carries a notification made at `created_at`, and when that
    digest is due (UTC): the first `hour`:00 at the school at or after `created_at` — a
    notification made after today's digest hour waits for tomorrow's."""
    school = SchoolClock(_At(created_at), zone)
    day = school.day_of(created_at)
    due = school.at(day, time(hour))
    if due < created_at:
        day += timedelta(days=1)
        due = school.at(day, time(hour))
    return day, due


def next_slot(day: date, due: datetime, zone: ZoneInfo) -> tuple[date, datetime]:
    """The digest after the one of `day` (due at `due`), at the same hour: for a notification
    that came too late for the digest it was held for (that digest was already sent)."""
    school = SchoolClock(_At(due), zone)
    following = day + timedelta(days=1)
    return following, school.at(following, school.local(due).time())


class _At:
    """A clock stopped at one instant (for `SchoolClock`'s calendar arithmetic)."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at
