"""Use case: give a school a bell schedule."""

from __future__ import annotations

import uuid

from sqlalchemy.exc import IntegrityError

from edtech.calendar.application.common import require_calendar_admin
from edtech.calendar.domain import BellSchedule, Period
from edtech.calendar.infrastructure.repositories import SqlAlchemyCalendar
from edtech.kernel.clock import Clock
from edtech.kernel.errors import ConflictError
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork


class CreateBellSchedule:
    """A school's named bell schedule: distinct periods that end after they start and do not
    overlap, in the school's wall-clock time. Names are unique per school."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    async def __call__(
        self, principal: Principal, school_id: uuid.UUID, name: str, periods: tuple[Period, ...]
    ) -> BellSchedule:
        async with self.uow as uow:
            await require_calendar_admin(uow.session, principal, school_id)
            schedule = BellSchedule(
                id=new_id(),
                institution_id=principal.institution_id,
                school_id=school_id,
                name=name,
                periods=periods,
            )
            SqlAlchemyCalendar(uow.session).add(schedule)
            try:
                await uow.commit()
            except IntegrityError as exc:
                raise ConflictError("The school already has a schedule by that name.") from exc
        return schedule
