"""The calendar's repository (aggregates on the caller's session) and its read queries."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.calendar.domain import BellSchedule, CalendarDay, DayKind, Rotation
from edtech.calendar.infrastructure.tables import bell_schedule, calendar_day, rotation

NON_SCHOOL = (DayKind.HOLIDAY.value, DayKind.CLOSURE.value)


def _for_school(table: sa.Table, school_id: uuid.UUID | None) -> sa.ColumnElement[bool]:
    """Rows for every school (school_id NULL) or for this one."""
    if school_id is None:
        return table.c.school_id.is_(None)
    return sa.or_(table.c.school_id.is_(None), table.c.school_id == school_id)


class SqlAlchemyCalendar:
    """Calendar days, bell schedules and rotations of one institution's schools."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, thing: CalendarDay | BellSchedule | Rotation) -> None:
        self.session.add(thing)

    async def schedule(
        self, institution_id: uuid.UUID, schedule_id: uuid.UUID
    ) -> BellSchedule | None:
        stmt = sa.select(BellSchedule).where(
            bell_schedule.c.institution_id == institution_id, bell_schedule.c.id == schedule_id
        )
        return (await self.session.scalars(stmt)).one_or_none()

    async def schedules(
        self, institution_id: uuid.UUID, ids: set[uuid.UUID]
    ) -> dict[uuid.UUID, BellSchedule]:
        if not ids:
            return {}
        stmt = sa.select(BellSchedule).where(
            bell_schedule.c.institution_id == institution_id, bell_schedule.c.id.in_(ids)
        )
        return {s.id: s for s in (await self.session.scalars(stmt)).all()}

    async def rotation(
        self, institution_id: uuid.UUID, rotation_id: uuid.UUID, *, lock: bool = False
    ) -> Rotation | None:
        stmt = sa.select(Rotation).where(
            rotation.c.institution_id == institution_id, rotation.c.id == rotation_id
        )
        if lock:
            stmt = stmt.with_for_update()
        return (await self.session.scalars(stmt)).one_or_none()

    async def rotations(self, institution_id: uuid.UUID) -> list[Rotation]:
        stmt = (
            sa.select(Rotation)
            .where(rotation.c.institution_id == institution_id)
            .order_by(rotation.c.starts_on, rotation.c.id)
        )
        return list((await self.session.scalars(stmt)).all())

    async def days(
        self, institution_id: uuid.UUID, school_id: uuid.UUID | None, first: date, last: date
    ) -> list[CalendarDay]:
        """The declared days from `first` to `last` that apply to the school (its own and the
        institution-wide ones)."""
        stmt = (
            sa.select(CalendarDay)
            .where(
                calendar_day.c.institution_id == institution_id,
                _for_school(calendar_day, school_id),
                calendar_day.c.day >= first,
                calendar_day.c.day <= last,
            )
            .order_by(calendar_day.c.day, calendar_day.c.declared_at)
        )
        return list((await self.session.scalars(stmt)).all())

    async def non_school_days(
        self, institution_id: uuid.UUID, school_id: uuid.UUID | None, first: date, last: date
    ) -> set[date]:
        return {
            d.day
            for d in await self.days(institution_id, school_id, first, last)
            if not d.kind.is_school_day
        }


def days_query(
    institution_id: uuid.UUID,
    *,
    school_id: uuid.UUID | None,
    first: date | None,
    last: date | None,
    kind: str | None,
) -> sa.Select[Any]:
    """Declared days of the institution (a school's: its own and institution-wide), by day."""
    t = calendar_day
    stmt = sa.select(t).where(t.c.institution_id == institution_id)
    if school_id is not None:
        stmt = stmt.where(_for_school(t, school_id))
    if first is not None:
        stmt = stmt.where(t.c.day >= first)
    if last is not None:
        stmt = stmt.where(t.c.day <= last)
    if kind is not None:
        stmt = stmt.where(t.c.kind == kind)
    return stmt.order_by(t.c.day, t.c.id)


def schedules_query(institution_id: uuid.UUID, school_id: uuid.UUID | None) -> sa.Select[Any]:
    t = bell_schedule
    stmt = sa.select(t).where(t.c.institution_id == institution_id)
    if school_id is not None:
        stmt = stmt.where(t.c.school_id == school_id)
    return stmt.order_by(t.c.name, t.c.id)


def rotations_query(institution_id: uuid.UUID, school_id: uuid.UUID | None) -> sa.Select[Any]:
    t = rotation
    stmt = sa.select(t).where(t.c.institution_id == institution_id)
    if school_id is not None:
        stmt = stmt.where(t.c.school_id == school_id)
    return stmt.order_by(t.c.starts_on, t.c.id)
