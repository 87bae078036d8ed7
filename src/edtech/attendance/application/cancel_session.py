"""Use case: cancel one session by hand, with a reason (it ends without absences)."""

from __future__ import annotations

import uuid

from edtech.attendance.application.common import editor_for, retrying
from edtech.attendance.application.ports import RosterFactory
from edtech.attendance.domain import AttendanceSession
from edtech.attendance.infrastructure.repositories import SqlAlchemyMarks, SqlAlchemySessions
from edtech.kernel.clock import Clock
from edtech.kernel.errors import NotFoundError
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork


class CancelSession:
    """The section's teacher or the office (attendance officers, the school's administrators)
    cancels a session that has not ended, saying why: it takes no more arrivals, is never
    closed (nobody is marked absent, no guardian is alerted) and the board and each student
    who had it are told (`attendance.session_cancelled`, `by_hand`). A session already closed,
    locked or cancelled is a 409; its attendance stands."""

    def __init__(self, uow: UnitOfWork, clock: Clock, roster: RosterFactory) -> None:
        self.uow, self.clock, self.roster = uow, clock, roster

    async def __call__(
        self, principal: Principal, session_id: uuid.UUID, reason: str
    ) -> AttendanceSession:
        async def attempt() -> AttendanceSession:
            async with self.uow as uow:
                now = self.clock.now()
                # Locked: the closer (or another cancel) waits, then finds it ended.
                att = await SqlAlchemySessions(uow.session).get(
                    principal.institution_id, session_id, lock=True
                )
                if att is None:
                    raise NotFoundError("Session not found.")
                await editor_for(principal, att, self.roster(uow.session))
                marks = await SqlAlchemyMarks(uow.session).of_session(att.id)
                att.cancel_by_hand(now, reason, tuple(m.student_id for m in marks))
                await uow.commit()
            return att

        return await retrying(attempt)
