"""Use case: declare a holiday, a closure or an early release."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy.exc import IntegrityError

from edtech.calendar.application.common import require_calendar_admin
from edtech.calendar.application.ports import CancelSessions
from edtech.calendar.domain import CalendarDay, DayKind
from edtech.calendar.infrastructure.repositories import SqlAlchemyCalendar
from edtech.institutions.public import school_clock
from edtech.kernel.clock import Clock
from edtech.kernel.errors import ConflictError, FieldProblem, InvalidError
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork


@dataclass(frozen=True)
class DeclareDayCommand:
    kind: DayKind
    reason: str
    day: date | None = None
    school_id: uuid.UUID | None = None
    bell_schedule_id: uuid.UUID | None = None


@dataclass(frozen=True)
class DeclaredDay:
    day: CalendarDay
    cancelled_sessions: int


class DeclareDay:
    """Declare a day that is not an ordinary school day, for one school or every school.

    The day defaults to today at the school (its time zone); a past day cannot be declared. A
    holiday or closure cancels that day's sessions already planned and not yet ended — in the
    same transaction, with the reason: nobody is marked absent, no guardian is alerted, each
    board and student is told — and planning makes none for it. A day is declared once per
    school and kind.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, cancel: CancelSessions) -> None:
        self.uow, self.clock, self.cancel = uow, clock, cancel

    async def __call__(self, principal: Principal, cmd: DeclareDayCommand) -> DeclaredDay:
        iid = principal.institution_id
        async with self.uow as uow:
            session = uow.session
            await require_calendar_admin(session, principal, cmd.school_id)
            today = (await school_clock(session, self.clock, iid, cmd.school_id)).today()
            day = cmd.day or today
            if day < today:
                raise InvalidError(
                    "A past day cannot be declared.",
                    [FieldProblem(("day",), f"on or after {today.isoformat()}")],
                )
            cal = SqlAlchemyCalendar(session)
            if cmd.bell_schedule_id is not None:
                schedule = await cal.schedule(iid, cmd.bell_schedule_id)
                if schedule is None or schedule.school_id != cmd.school_id:
                    raise InvalidError(
                        "Unknown bell schedule.",
                        [FieldProblem(("bell_schedule_id",), "not a schedule of this school")],
                    )
            for other in await cal.days(iid, cmd.school_id, day, day):
                if other.kind == cmd.kind and other.school_id == cmd.school_id:
                    raise ConflictError("This day is already declared.", day_id=str(other.id))
            entry = CalendarDay(
                id=new_id(),
                institution_id=iid,
                school_id=cmd.school_id,
                day=day,
                kind=cmd.kind,
                reason=cmd.reason,
                bell_schedule_id=cmd.bell_schedule_id,
                declared_at=self.clock.now(),
                declared_by=principal.person_id,
            )
            cal.add(entry)
            cancelled = 0
            if not cmd.kind.is_school_day:
                cancelled = await self.cancel(
                    session, iid, cmd.school_id, day, cmd.reason, self.clock.now()
                )
            entry.declared(cancelled)
            try:
                await uow.commit()
            except IntegrityError as exc:
                raise ConflictError("This clashes with a concurrent change.") from exc
        return DeclaredDay(entry, cancelled)
