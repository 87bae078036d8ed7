"""The escalation ladder: which channel is tried when, and what makes a rung unnecessary."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from edtech.notifications.domain.categories import (
    BYPASS_QUIET_HOURS,
    MANDATORY,
    Category,
    Channel,
)
from edtech.notifications.domain.preferences import Preferences


class Unless(enum.StrEnum):
    """What makes a rung unnecessary by the time it comes."""

    READ = "read"
    """The person read the notification (in the app)."""
    SEEN = "seen"
    """It reached one of the person's open sockets, or they read it."""
    REACHED = "reached"
    """An earlier rung reached them (a channel sent), or they saw or read it."""


@dataclass(frozen=True)
class Delays:
    """The configured waits between rungs (`EDTECH_NOTIFY_*_DELAY_SECONDS`)."""

    push: timedelta = timedelta(minutes=2)
    email: timedelta = timedelta(minutes=30)
    sms: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class Rung:
    channel: Channel
    after: timedelta
    unless: Unless


def ladder(category: Category, delays: Delays) -> tuple[Rung, ...]:
    """The rule per category. Absence alert: in-app at once; push if no socket took it within
    the push delay; email if still unread after the email delay. Urgent announcement: push and
    email at once, SMS to whoever no channel reached after the SMS delay. Anything else: push
    if unseen after the push delay, email if unread after the email delay."""
    if category is Category.URGENT_ANNOUNCEMENT:
        return (
            Rung(Channel.PUSH, timedelta(0), Unless.READ),
            Rung(Channel.EMAIL, timedelta(0), Unless.READ),
            Rung(Channel.SMS, delays.sms, Unless.REACHED),
        )
    return (
        Rung(Channel.PUSH, delays.push, Unless.SEEN),
        Rung(Channel.EMAIL, delays.email, Unless.READ),
    )


@dataclass(frozen=True)
class PlannedRung:
    channel: Channel
    at: datetime
    unless: Unless


def plan(
    category: Category,
    prefs: Preferences,
    created_at: datetime,
    tz: ZoneInfo,
    delays: Delays,
    mandatory: frozenset[Category] = MANDATORY,
) -> list[PlannedRung]:
    """The rungs this person gets, and when: channels they switched off are left out (unless
    the institution made the category mandatory); a rung that falls in their quiet hours waits
    for the end (urgent announcements do not wait)."""
    planned = []
    for rung in ladder(category, delays):
        if not prefs.enabled(category, rung.channel, mandatory):
            continue
        at = created_at + rung.after
        if prefs.quiet_hours is not None and category not in BYPASS_QUIET_HOURS:
            at = prefs.quiet_hours.ends_after(at, tz) or at
        planned.append(PlannedRung(rung.channel, at, rung.unless))
    return planned


@dataclass(frozen=True)
class Progress:
    """Where a notification stands when a rung comes due."""

    read: bool
    seen: bool
    sent_channels: frozenset[Channel]

    def skips(self, unless: Unless) -> str | None:
        """Why the rung is no longer needed (None: send it)."""
        if self.read:
            return "read"
        if unless in (Unless.SEEN, Unless.REACHED) and self.seen:
            return "seen"
        if unless is Unless.REACHED and self.sent_channels:
            return "reached"
        return None
