"""Use case: a person sets their notification preferences."""

from __future__ import annotations

from collections.abc import Mapping

from edtech.kernel.clock import Clock
from edtech.kernel.principal import Principal
from edtech.notifications.domain import (
    Category,
    QuietHours,
    Switches,
    choose,
    may_switch_off,
)
from edtech.notifications.domain.digest import may_digest
from edtech.notifications.infrastructure.repository import SqlNotifications
from edtech.platform.db.uow import UnitOfWork


class SetPreferences:
    """Anyone sets, for themselves, which channels each category may use, their quiet hours
    (in the school's time zone), the number SMS goes to and the language they read (`en`,
    `es`; none: the school's), which categories come once a day in one digest email instead of
    at once, and at what hour (school time; none: 18:00). The categories the institution made
    mandatory (by default absence alerts and urgent announcements) keep push and email:
    switching them off is refused (422), as is holding them — or urgent announcements — for
    the digest, a digest hour outside 0–23, and switching SMS on without a number. Channels
    and digest choices not named keep their current value."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    async def __call__(
        self,
        principal: Principal,
        switches: Switches,
        quiet_hours: QuietHours | None,
        sms_number: str | None,
        language: str | None = None,
        digest: Mapping[Category, bool] | None = None,
        digest_hour: int | None = None,
    ) -> None:
        async with self.uow as uow:
            store = SqlNotifications(uow.session)
            current = (await store.preferences([principal.person_id])).get(principal.person_id)
            mandatory = await store.mandatory(principal.institution_id)
            # A switch stored off before the institution made its category mandatory is
            # inert; it is dropped here rather than refusing every later change.
            kept = {
                (category, channel): on
                for (category, channel), on in (current.switches if current else {}).items()
                if on or may_switch_off(category, channel, mandatory)
            }
            merged = {**kept, **switches}
            # Digest choices merge the same way: a category not named keeps its choice, and one
            # held before the institution made it mandatory is dropped (it was inert).
            held = {c for c in (current.digest if current else ()) if may_digest(c, mandatory)}
            for category, on in (digest or {}).items():
                (held.add if on else held.discard)(category)
            prefs = choose(
                merged, quiet_hours, sms_number, mandatory, language, frozenset(held), digest_hour
            )
            await store.save_preferences(
                principal.institution_id, principal.person_id, prefs, self.clock.now()
            )
            await uow.commit()
