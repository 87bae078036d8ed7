"""Use case: say which sections meet on which rotation day, in which period."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from edtech.calendar.application.common import require_calendar_admin
from edtech.calendar.domain import Rotation, RotationMeeting
from edtech.calendar.infrastructure.repositories import SqlAlchemyCalendar
from edtech.institutions.public import Policy
from edtech.kernel.clock import Clock
from edtech.kernel.errors import FieldProblem, InvalidError, NotFoundError
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork


class SetRotationMeetings:
    """Replace a rotation's meetings: each names a section of the rotation's school, one of
    its labels and a period of its bell schedule. From then on those sections meet by the
    rotation (their weekly pattern no longer plans sessions); planning already done stays."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    async def __call__(
        self, principal: Principal, rotation_id: uuid.UUID, meetings: Sequence[RotationMeeting]
    ) -> Rotation:
        iid = principal.institution_id
        async with self.uow as uow:
            cal = SqlAlchemyCalendar(uow.session)
            rotation = await cal.rotation(iid, rotation_id, lock=True)
            if rotation is None:
                raise NotFoundError("rotation not found")
            await require_calendar_admin(uow.session, principal, rotation.school_id)
            policy = Policy(uow.session)
            problems = [
                FieldProblem(("meetings", i, "section_id"), "not a section of this school")
                for i, m in enumerate(meetings)
                if await policy.school_of_section(iid, m.section_id) != rotation.school_id
            ]
            if problems:
                raise InvalidError("Invalid rotation meetings.", problems)
            schedule = await cal.schedule(iid, rotation.bell_schedule_id)
            assert schedule is not None  # a foreign key
            rotation.set_meetings(meetings, schedule)
            await uow.commit()
        return rotation
