"""What the calendar says about one school's day: is it a school day, which rotation day, and
which sections meet when — read for session planning."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, time

from sqlalchemy.ext.asyncio import AsyncSession

from edtech.calendar.domain import DayKind
from edtech.calendar.infrastructure.repositories import SqlAlchemyCalendar


@dataclass(frozen=True)
class WallMeeting:
    """A rotation meeting of a section on a day, in the school's wall-clock time."""

    section_id: uuid.UUID
    label: str
    period: str
    starts_at: time
    ends_at: time


@dataclass(frozen=True)
class DayPlan:
    """One school's day as the calendar sees it.

    `school_day` is False on a holiday or closure (`reason` says why): nothing meets. Weekly
    patterns say themselves which weekdays they meet on; the sections in `rotation_sections`
    meet by their rotation instead, and `meetings` are their meetings of the day (none on a
    weekend or before the rotation starts).
    """

    school_id: uuid.UUID
    day: date
    school_day: bool
    reason: str | None
    labels: dict[str, str]
    rotation_sections: frozenset[uuid.UUID]
    meetings: tuple[WallMeeting, ...]


async def day_plan(
    session: AsyncSession, institution_id: uuid.UUID, school_id: uuid.UUID, day: date
) -> DayPlan:
    cal = SqlAlchemyCalendar(session)
    rotations = [r for r in await cal.rotations(institution_id) if r.school_id == school_id]
    first = min([day, *(r.starts_on for r in rotations)])
    declared = await cal.days(institution_id, school_id, first, day)
    non_school = {d.day for d in declared if not d.kind.is_school_day}
    today = [d for d in declared if d.day == day]
    closed = next((d for d in today if not d.kind.is_school_day), None)
    early = next((d for d in today if d.kind is DayKind.EARLY_RELEASE), None)
    in_rotation = frozenset(m.section_id for r in rotations for m in r.meetings)
    if closed is not None:
        return DayPlan(school_id, day, False, closed.reason, {}, in_rotation, ())
    schedule_ids = {r.bell_schedule_id for r in rotations}
    if early is not None and early.bell_schedule_id is not None:
        schedule_ids.add(early.bell_schedule_id)
    schedules = await cal.schedules(institution_id, schedule_ids)
    labels: dict[str, str] = {}
    meetings: list[WallMeeting] = []
    for r in rotations:
        label = r.label_on(day, non_school)
        if label is None:
            continue
        labels[r.name] = label
        # An early release keeps the day's label and meets on the early schedule's periods.
        schedule = schedules.get(
            early.bell_schedule_id if early and early.bell_schedule_id else r.bell_schedule_id
        )
        for m in r.meetings:
            period = schedule.period(m.period) if schedule is not None else None
            if m.label == label and period is not None:
                meetings.append(
                    WallMeeting(m.section_id, label, m.period, period.starts_at, period.ends_at)
                )
    meetings.sort(key=lambda m: (m.starts_at, str(m.section_id)))
    return DayPlan(school_id, day, True, None, labels, in_rotation, tuple(meetings))


async def rotation_schools(session: AsyncSession, institution_id: uuid.UUID) -> set[uuid.UUID]:
    """The schools that have a rotation (their sections may meet without a weekly pattern)."""
    return {r.school_id for r in await SqlAlchemyCalendar(session).rotations(institution_id)}
