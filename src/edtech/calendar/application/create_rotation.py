"""Use case: give a school a day rotation (A/B days, Day 1–6)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from edtech.calendar.application.common import require_calendar_admin
from edtech.calendar.domain import Rotation
from edtech.calendar.infrastructure.repositories import SqlAlchemyCalendar
from edtech.kernel.clock import Clock
from edtech.kernel.errors import FieldProblem, InvalidError
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork


@dataclass(frozen=True)
class NewRotation:
    school_id: uuid.UUID
    name: str
    labels: tuple[str, ...]
    starts_on: date
    bell_schedule_id: uuid.UUID


class CreateRotation:
    """A rotation of 2–10 distinct day labels over the school days from `starts_on`, keeping
    one of the school's bell schedules; its sections' meetings are set afterwards."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    async def __call__(self, principal: Principal, new: NewRotation) -> Rotation:
        async with self.uow as uow:
            await require_calendar_admin(uow.session, principal, new.school_id)
            cal = SqlAlchemyCalendar(uow.session)
            schedule = await cal.schedule(principal.institution_id, new.bell_schedule_id)
            if schedule is None or schedule.school_id != new.school_id:
                raise InvalidError(
                    "Unknown bell schedule.",
                    [FieldProblem(("bell_schedule_id",), "not a schedule of this school")],
                )
            rotation = Rotation(
                id=new_id(),
                institution_id=principal.institution_id,
                school_id=new.school_id,
                name=new.name,
                labels=new.labels,
                starts_on=new.starts_on,
                bell_schedule_id=new.bell_schedule_id,
            )
            cal.add(rotation)
            await uow.commit()
        return rotation
