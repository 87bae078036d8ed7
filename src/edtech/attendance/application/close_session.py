"""Use case: close a session by hand (unmarked students become absent)."""

from __future__ import annotations

import uuid

from edtech.attendance.application.common import close_in, editor_for, load_session, retrying
from edtech.attendance.application.ports import RosterFactory
from edtech.attendance.domain import AttendanceSession
from edtech.kernel.clock import Clock
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork


class CloseSession:
    """Close a session by hand (the teacher or the office); the rest is as at close time."""

    def __init__(self, uow: UnitOfWork, clock: Clock, roster: RosterFactory) -> None:
        self.uow, self.clock, self.roster = uow, clock, roster

    async def __call__(self, principal: Principal, session_id: uuid.UUID) -> AttendanceSession:
        async def attempt() -> AttendanceSession:
            async with self.uow as uow:
                now = self.clock.now()
                roster = self.roster(uow.session)
                att = await load_session(uow.session, principal.institution_id, session_id)
                await editor_for(principal, att, roster)
                await close_in(uow, att, roster, now, automatic=False)
                await uow.commit()
            return att

        return await retrying(attempt)
