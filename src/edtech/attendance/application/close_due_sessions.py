"""Use case: the close-time sweep (every session past its close time is closed)."""

from __future__ import annotations

import uuid
from functools import partial

from edtech.attendance.application.common import close_in, retrying
from edtech.attendance.application.ports import RosterFactory
from edtech.attendance.infrastructure.repositories import SqlAlchemySessions
from edtech.kernel.clock import Clock
from edtech.platform.db.uow import UnitOfWork


class CloseDueSessions:
    """The close-time sweep: every session whose close time has passed is closed, automatically.

    Each session closes in its own transaction; on PostgreSQL two nodes sweeping at once lock
    the session row, and the loser finds it closed and skips it.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, roster: RosterFactory) -> None:
        self.uow, self.clock, self.roster = uow, clock, roster

    async def __call__(self, limit: int = 50) -> int:
        now = self.clock.now()
        async with self.uow as uow:
            due = await SqlAlchemySessions(uow.session).due_to_close(now, limit)
        closed = 0
        for institution_id, session_id in due:
            closed += await retrying(partial(self._close, institution_id, session_id))
        return closed

    async def _close(self, institution_id: uuid.UUID, session_id: uuid.UUID) -> int:
        async with self.uow as uow:
            now = self.clock.now()
            att = await SqlAlchemySessions(uow.session).get(institution_id, session_id, lock=True)
            if att is None or not att.due_to_close(now):
                return 0
            await close_in(uow, att, self.roster(uow.session), now, automatic=True)
            await uow.commit()
        return 1
