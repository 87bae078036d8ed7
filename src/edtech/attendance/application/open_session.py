"""Use case: open a scheduled session early."""

from __future__ import annotations

import uuid

from edtech.attendance.application.common import editor_for, load_session
from edtech.attendance.application.ports import RosterFactory
from edtech.attendance.domain import AttendanceSession
from edtech.kernel.clock import Clock
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork


class OpenSession:
    """Open a scheduled session early (the teacher starts taking attendance)."""

    def __init__(self, uow: UnitOfWork, clock: Clock, roster: RosterFactory) -> None:
        self.uow, self.clock, self.roster = uow, clock, roster

    async def __call__(self, principal: Principal, session_id: uuid.UUID) -> AttendanceSession:
        async with self.uow as uow:
            now = self.clock.now()
            att = await load_session(uow.session, principal.institution_id, session_id)
            await editor_for(principal, att, self.roster(uow.session))
            att.open(now)
            await uow.commit()
        return att
