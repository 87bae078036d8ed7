"""What a notification is about (its category) and the channels that can carry it."""

from __future__ import annotations

import enum


class Category(enum.StrEnum):
    ABSENCE = "absence"
    """A child was marked absent or tardy when the session closed."""
    GRADE_PUBLISHED = "grade_published"
    ANNOUNCEMENT = "announcement"
    URGENT_ANNOUNCEMENT = "urgent_announcement"
    MESSAGE = "message"
    BILLING = "billing"
    ACCOUNT = "account"


class Channel(enum.StrEnum):
    """Where a notification may go besides the in-app inbox (always on)."""

    PUSH = "push"
    EMAIL = "email"
    SMS = "sms"


MANDATORY: frozenset[Category] = frozenset({Category.ABSENCE, Category.URGENT_ANNOUNCEMENT})
"""The default mandatory set: categories a school must be able to reach families with, whose
push and email cannot be switched off. An institution chooses its own (`notification_policy`);
SMS stays opt-in everywhere (a text message needs the person's consent)."""

BYPASS_QUIET_HOURS: frozenset[Category] = frozenset({Category.URGENT_ANNOUNCEMENT})
"""Categories sent during quiet hours too."""


def may_switch_off(
    category: Category, channel: Channel, mandatory: frozenset[Category] = MANDATORY
) -> bool:
    """Whether a person may turn `channel` off for `category`, given the institution's
    mandatory set."""
    return category not in mandatory or channel is Channel.SMS


def default_enabled(category: Category, channel: Channel) -> bool:
    """What a person gets before choosing: push for everything, email for what matters (and
    cannot wait for the app to be opened), SMS for nothing until they opt in."""
    if channel is Channel.PUSH:
        return True
    if channel is Channel.EMAIL:
        return category in (
            Category.ABSENCE,
            Category.URGENT_ANNOUNCEMENT,
            Category.ANNOUNCEMENT,
            Category.BILLING,
            Category.ACCOUNT,
        )
    return False
