"""Quiet hours: a staff member's daily window (institution time zone) when nothing pings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from edtech.kernel.errors import FieldProblem, InvalidError

ALL_DAYS = frozenset(range(7))


@dataclass(frozen=True)
class QuietHours:
    """From `starts_at` to `ends_at` local time on `weekdays` (0 = Monday: the day it starts).

    A window may run past midnight (22:00–07:00). While it lasts, messages still arrive, but
    the person's notifications and read receipts are held until it ends.
    """

    starts_at: time
    ends_at: time
    weekdays: frozenset[int] = ALL_DAYS

    def __post_init__(self) -> None:
        problems: list[FieldProblem] = []
        if self.starts_at == self.ends_at:
            problems.append(FieldProblem(("ends_at",), "must differ from starts_at"))
        if not self.weekdays or not self.weekdays <= ALL_DAYS:
            problems.append(FieldProblem(("weekdays",), "one or more days, 0 (Monday) to 6"))
        if problems:
            raise InvalidError("invalid quiet hours", problems)

    def quiet_until(self, now: datetime, tz: ZoneInfo) -> datetime | None:
        """When the window `now` falls in ends (UTC), or None if `now` is not in quiet hours."""
        local = now.astimezone(tz)
        for start_day in (local.date(), local.date() - timedelta(days=1)):
            if start_day.weekday() not in self.weekdays:
                continue
            start, end = self._window(start_day, tz)
            if start <= local < end:
                return end.astimezone(UTC)
        return None

    def _window(self, day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
        start = datetime.combine(day, self.starts_at, tzinfo=tz)
        end_day = day if self.ends_at > self.starts_at else day + timedelta(days=1)
        return start, datetime.combine(end_day, self.ends_at, tzinfo=tz)


def reply_note(display_name: str, until: datetime, tz: ZoneInfo) -> str:
    """The automatic note the sender sees while the recipient is in quiet hours."""
    local = until.astimezone(tz)
    when = f"{local:%A} {local:%H:%M}"
    return (
        f"{display_name} is in quiet hours and will see your message after {when} ({tz.key} time)."
    )
