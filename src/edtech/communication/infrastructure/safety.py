"""Repositories for the messaging settings, blocks, reports, exports and quiet hours."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.communication.domain import PolicySettings, QuietHours
from edtech.communication.infrastructure.tables import (
    conversation_export,
    held_notification,
    message_report,
    messaging_settings,
    person_block,
    quiet_hours,
)
from edtech.platform.db.bulk import any_of
from edtech.platform.db.driver import DriverStatement

SETTING_NAMES = (
    "students_may_message_students",
    "teachers_may_message_students",
    "guardians_may_message_admins",
    "office_staff_may_message_guardians",
    "staff_may_message_staff",
)

# Built once, values bound at execution: the settings page reads `_SETTINGS`; every message
# and every new conversation `_GUARDS`, and quiet hours.
_SETTINGS = sa.select(messaging_settings).where(
    messaging_settings.c.institution_id == sa.bindparam("institution_id")
)
_anchor = sa.select(sa.literal(1).label("one")).subquery("anchor")
_GUARDS = sa.select(
    messaging_settings.c.institution_id,
    *(messaging_settings.c[name] for name in SETTING_NAMES),
    person_block.c.blocker_id,
).select_from(
    _anchor.outerjoin(
        messaging_settings, messaging_settings.c.institution_id == sa.bindparam("institution_id")
    ).outerjoin(
        person_block,
        sa.and_(
            person_block.c.blocked_id == sa.bindparam("blocked_id"),
            person_block.c.blocker_id.in_(sa.bindparam("people", expanding=True)),
        ),
    )
)
"""The institution's settings (NULLs when it has none) beside each of `people` who blocked
`blocked_id` (one row with a NULL blocker when nobody did)."""
_QUIET_HOURS = sa.select(quiet_hours).where(
    quiet_hours.c.person_id.in_(sa.bindparam("people", expanding=True))
)
_QUIET_COLUMNS = (
    quiet_hours.c.person_id.label("quiet_person_id"),
    quiet_hours.c.starts_at,
    quiet_hours.c.ends_at,
    quiet_hours.c.weekdays,
)
_GUARDS_AND_QUIET = sa.select(*_GUARDS.selected_columns, *_QUIET_COLUMNS).select_from(
    _GUARDS.get_final_froms()[0].outerjoin(
        quiet_hours, quiet_hours.c.person_id.in_(sa.bindparam("quiet", expanding=True))
    )
)
"""`_GUARDS` beside the quiet hours of each of `quiet` who keeps them: every row of the one
crossed with every row of the other (a message's few blockers, its recipients' quiet hours)."""


_MANY_GUARDS = DriverStatement(
    sa.select(
        *_GUARDS_AND_QUIET.selected_columns,
        person_block.c.blocked_id,
    ).select_from(
        _anchor.outerjoin(
            messaging_settings,
            messaging_settings.c.institution_id == sa.bindparam("institution_id"),
        )
        .outerjoin(
            person_block,
            sa.and_(
                any_of(person_block.c.blocked_id, "senders"),
                any_of(person_block.c.blocker_id, "people"),
            ),
        )
        .outerjoin(quiet_hours, any_of(quiet_hours.c.person_id, "quiet"))
    )
)
"""`_GUARDS_AND_QUIET` for several senders at once (PostgreSQL: a grouped transaction's
posts, on its driver connection): each block of one of `senders` by one of `people` (the
pair), beside the quiet hours of each of `quiet` who keeps them."""


@dataclass(frozen=True)
class Guards:
    """What a message is checked against before it is stored: the institution's settings, who
    blocked the sender, and the recipients' quiet hours (of those who keep them)."""

    settings: PolicySettings
    blockers: set[uuid.UUID]
    quiet_hours: dict[uuid.UUID, QuietHours]


@dataclass(frozen=True)
class ManyGuards:
    """`Guards` read for several senders at once (`SqlAlchemySafety.guards_of_many`)."""

    settings: PolicySettings
    blocks: set[tuple[uuid.UUID, uuid.UUID]]
    """(blocker, blocked) pairs."""
    quiet_hours: dict[uuid.UUID, QuietHours]
    asked: tuple[frozenset[uuid.UUID], frozenset[uuid.UUID], frozenset[uuid.UUID]]
    """The senders, people and quiet ones read for."""

    def of(
        self, sender: uuid.UUID, people: list[uuid.UUID], quiet: list[uuid.UUID]
    ) -> Guards | None:
        """What `guards(…, sender, people, quiet)` answers, from what was read; None when
        that was not read for all of them."""
        senders, asked_people, asked_quiet = self.asked
        if sender not in senders or not asked_people.issuperset(people):
            return None
        if not asked_quiet.issuperset(quiet):
            return None
        return Guards(
            self.settings,
            {p for p in people if (p, sender) in self.blocks},
            {p: self.quiet_hours[p] for p in quiet if p in self.quiet_hours},
        )


def _quiet_hours_of(rows: Sequence[Any]) -> dict[uuid.UUID, QuietHours]:
    """The quiet hours in the guards' rows (each crossed with the blocks: repeated)."""
    return {
        r.quiet_person_id: QuietHours(r.starts_at, r.ends_at, frozenset(r.weekdays))
        for r in rows
        if r.quiet_person_id is not None
    }


class SqlAlchemySafety:
    """Everything that guards conversations: settings, blocks, reports, exports, quiet hours."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def settings(self, institution_id: uuid.UUID) -> PolicySettings:
        row = (await self.session.execute(_SETTINGS, {"institution_id": institution_id})).first()
        if row is None:
            return PolicySettings()
        return PolicySettings(**{name: row._mapping[name] for name in SETTING_NAMES})

    async def guards(
        self,
        institution_id: uuid.UUID,
        blocked_id: uuid.UUID,
        people: list[uuid.UUID],
        quiet: list[uuid.UUID],
    ) -> Guards:
        """The settings, which of `people` have blocked `blocked_id`, and the quiet hours of
        those of `quiet` who keep them: one round trip (starting a conversation asks the first
        two, every message all three)."""
        params = {
            "institution_id": institution_id,
            "blocked_id": blocked_id,
            "people": people,
            "quiet": quiet,
        }
        rows = (await self.session.execute(_GUARDS_AND_QUIET, params)).all()
        return Guards(
            _settings_of(rows[0]._mapping),
            {r.blocker_id for r in rows if r.blocker_id is not None},
            _quiet_hours_of(rows),
        )

    async def guards_of_many(
        self,
        institution_id: uuid.UUID,
        senders: list[uuid.UUID],
        people: list[uuid.UUID],
        quiet: list[uuid.UUID],
    ) -> ManyGuards:
        """`guards` for several senders of one institution in one round trip (the posts of
        one transaction): the blocks of any of `senders` by any of `people`, and the quiet
        hours of those of `quiet` who keep them."""
        params = {
            "institution_id": institution_id,
            "senders": senders,
            "people": people,
            "quiet": quiet,
        }
        rows = await _MANY_GUARDS.rows(self.session, params)
        return ManyGuards(
            _settings_of(rows[0]._mapping),
            {(r.blocker_id, r.blocked_id) for r in rows if r.blocker_id is not None},
            _quiet_hours_of(rows),
            (frozenset(senders), frozenset(people), frozenset(quiet)),
        )

    async def save_settings(
        self, institution_id: uuid.UUID, settings: PolicySettings, at: datetime
    ) -> None:
        values: dict[str, Any] = {name: getattr(settings, name) for name in SETTING_NAMES}
        done = await self.session.execute(
            sa.update(messaging_settings)
            .where(messaging_settings.c.institution_id == institution_id)
            .values(**values, updated_at=at)
        )
        if _rowcount(done) == 0:
            await self.session.execute(
                sa.insert(messaging_settings).values(
                    institution_id=institution_id, updated_at=at, **values
                )
            )

    async def is_blocked(self, blocker_id: uuid.UUID, blocked_id: uuid.UUID) -> bool:
        stmt = sa.select(person_block.c.blocker_id).where(
            person_block.c.blocker_id == blocker_id, person_block.c.blocked_id == blocked_id
        )
        return await self.session.scalar(stmt) is not None

    async def block(
        self, institution_id: uuid.UUID, blocker_id: uuid.UUID, blocked_id: uuid.UUID, at: datetime
    ) -> bool:
        if await self.is_blocked(blocker_id, blocked_id):
            return False
        await self.session.execute(
            sa.insert(person_block).values(
                blocker_id=blocker_id,
                blocked_id=blocked_id,
                institution_id=institution_id,
                created_at=at,
            )
        )
        return True

    async def unblock(self, blocker_id: uuid.UUID, blocked_id: uuid.UUID) -> bool:
        done = await self.session.execute(
            sa.delete(person_block).where(
                person_block.c.blocker_id == blocker_id, person_block.c.blocked_id == blocked_id
            )
        )
        return _rowcount(done) > 0

    async def reported(self, message_id: uuid.UUID, reporter_id: uuid.UUID) -> uuid.UUID | None:
        stmt = sa.select(message_report.c.id).where(
            message_report.c.message_id == message_id,
            message_report.c.reporter_id == reporter_id,
        )
        found: uuid.UUID | None = await self.session.scalar(stmt)
        return found

    async def add_report(self, **values: Any) -> None:
        await self.session.execute(sa.insert(message_report).values(**values))

    async def add_export(self, **values: Any) -> None:
        await self.session.execute(sa.insert(conversation_export).values(**values))

    async def quiet_hours(self, person_ids: list[uuid.UUID]) -> dict[uuid.UUID, QuietHours]:
        if not person_ids:
            return {}
        rows = await self.session.execute(_QUIET_HOURS, {"people": list(person_ids)})
        return {
            r.person_id: QuietHours(r.starts_at, r.ends_at, frozenset(r.weekdays)) for r in rows
        }

    async def set_quiet_hours(
        self,
        institution_id: uuid.UUID,
        person_id: uuid.UUID,
        hours: QuietHours | None,
        at: datetime,
    ) -> None:
        await self.session.execute(
            sa.delete(quiet_hours).where(quiet_hours.c.person_id == person_id)
        )
        if hours is not None:
            await self.session.execute(
                sa.insert(quiet_hours).values(
                    person_id=person_id,
                    institution_id=institution_id,
                    starts_at=hours.starts_at,
                    ends_at=hours.ends_at,
                    weekdays=sorted(hours.weekdays),
                    updated_at=at,
                )
            )

    async def hold(self, **values: Any) -> None:
        await self.session.execute(sa.insert(held_notification).values(**values))

    async def due(self, now: datetime, kind: str, limit: int = 500) -> list[Any]:
        """Held notifications of one kind (`message`, `read`) whose quiet hours are over, oldest
        first (locked on PostgreSQL)."""
        stmt = (
            sa.select(held_notification)
            .where(
                held_notification.c.released_at.is_(None),
                held_notification.c.release_at <= now,
                held_notification.c.kind == kind,
            )
            .order_by(held_notification.c.release_at, held_notification.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return list((await self.session.execute(stmt)).all())

    async def mark_released(self, ids: list[uuid.UUID], at: datetime) -> None:
        if ids:
            await self.session.execute(
                sa.update(held_notification)
                .where(held_notification.c.id.in_(ids))
                .values(released_at=at)
            )


def _rowcount(result: Any) -> int:
    count: int = result.rowcount
    return count


def _settings_of(row: sa.RowMapping) -> PolicySettings:
    """The settings from a `_GUARDS` row (the defaults when the institution has none)."""
    if row["institution_id"] is None:
        return PolicySettings()
    return PolicySettings(**{name: row[name] for name in SETTING_NAMES})
