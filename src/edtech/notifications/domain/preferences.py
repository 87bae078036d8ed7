"""A person's notification preferences: category × channel switches and quiet hours."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from edtech.kernel.errors import FieldProblem, InvalidError
from edtech.notifications.domain.categories import (
    MANDATORY,
    Category,
    Channel,
    default_enabled,
    may_switch_off,
)
from edtech.notifications.domain.digest import DEFAULT_DIGEST_HOUR, may_digest, refuse_digests


@dataclass(frozen=True)
class QuietHours:
    """Every day from `starts_at` to `ends_at` in the school's time zone (may run past
    midnight): push, email and SMS wait until it ends, except for categories that bypass it."""

    starts_at: time
    ends_at: time

    def __post_init__(self) -> None:
        if self.starts_at == self.ends_at:
            raise InvalidError(
                "invalid quiet hours", [FieldProblem(("quiet_hours", "ends_at"), "must differ")]
            )

    def ends_after(self, moment: datetime, tz: ZoneInfo) -> datetime | None:
        """When the quiet window holding `moment` ends (UTC), or None outside quiet hours."""
        local = moment.astimezone(tz)
        for day in (local.date() - timedelta(days=1), local.date()):
            start = datetime.combine(day, self.starts_at, tzinfo=tz)
            end_day = day if self.ends_at > self.starts_at else day + timedelta(days=1)
            end = datetime.combine(end_day, self.ends_at, tzinfo=tz)
            if start <= local < end:
                return end.astimezone(UTC)
        return None


Switches = Mapping[tuple[Category, Channel], bool]


@dataclass(frozen=True)
class Preferences:
    """What one person chose; anything not chosen is the default (`default_enabled`)."""

    switches: Switches = field(default_factory=dict)
    quiet_hours: QuietHours | None = None
    sms_number: str | None = None
    language: str | None = None
    """The language the person reads (`en`, `es`); None: the school's."""
    digest: frozenset[Category] = frozenset()
    """Categories the person gets once a day, in one email, instead of at once."""
    digest_hour: int | None = None
    """The hour (0–23, school time) their digest goes out; None: `DEFAULT_DIGEST_HOUR`."""

    @property
    def hour(self) -> int:
        return DEFAULT_DIGEST_HOUR if self.digest_hour is None else self.digest_hour

    def holds(self, category: Category, mandatory: frozenset[Category] = MANDATORY) -> bool:
        """Whether a `category` notification waits for this person's digest: they asked, and
        the category is neither mandatory now nor an urgent announcement (a choice made before
        the institution made it mandatory is inert)."""
        return category in self.digest and may_digest(category, mandatory)

    def enabled(
        self, category: Category, channel: Channel, mandatory: frozenset[Category] = MANDATORY
    ) -> bool:
        """A switch the person may not turn off is on, whatever was stored before the
        institution made the category mandatory."""
        if not may_switch_off(category, channel, mandatory):
            return True
        return self.switches.get((category, channel), default_enabled(category, channel))

    def matrix(
        self, mandatory: frozenset[Category] = MANDATORY
    ) -> dict[Category, dict[Channel, bool]]:
        return {c: {ch: self.enabled(c, ch, mandatory) for ch in Channel} for c in Category}


def choose(
    switches: Switches,
    quiet_hours: QuietHours | None,
    sms_number: str | None,
    mandatory: frozenset[Category] = MANDATORY,
    language: str | None = None,
    digest: frozenset[Category] = frozenset(),
    digest_hour: int | None = None,
) -> Preferences:
    """A person's new preferences. Switching off push or email for a category the institution
    made mandatory (by default absence alerts and urgent announcements) is refused, naming each
    such switch; so is holding such a category, or an urgent announcement, for the daily
    digest, and a digest hour outside 0–23; SMS needs a number to be switched on."""
    problems = [
        FieldProblem(
            ("categories", category.value, channel.value),
            f"{category.value} notifications are mandatory: {channel.value} cannot be switched off",
            "mandatory",
        )
        for (category, channel), on in switches.items()
        if not on and not may_switch_off(category, channel, mandatory)
    ]
    if sms_number is None and any(
        on for (_, channel), on in switches.items() if channel is Channel.SMS
    ):
        problems.append(FieldProblem(("sms_number",), "required to switch SMS on"))
    problems.extend(refuse_digests(digest, digest_hour, mandatory))
    if problems:
        raise InvalidError("these preferences cannot be set", problems)
    return Preferences(dict(switches), quiet_hours, sms_number, language, digest, digest_hour)
