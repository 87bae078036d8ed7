"""Use case: a teacher or the office sets one student's code in a session."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from edtech.attendance.application.common import code_book, editor_for, load_session, retrying
from edtech.attendance.application.ports import RosterFactory
from edtech.attendance.domain import Mark
from edtech.attendance.infrastructure.repositories import SqlAlchemyHistory, SqlAlchemyMarks
from edtech.kernel.clock import Clock
from edtech.kernel.errors import FieldProblem, InvalidError
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork


@dataclass(frozen=True)
class MarkCommand:
    session_id: uuid.UUID
    student_id: uuid.UUID
    code: str
    version: int | None = None
    minutes_late: int | None = None
    arrived_at: datetime | None = None
    departed_at: datetime | None = None
    reason: str | None = None


class MarkStudent:
    """Set a student's code in a session.

    The section's teachers record their observation; attendance staff set the official code.
    A write against an older `version` gets 409 with the current mark; a student not on the
    session's roster gets 422; once the session is locked only the office may, with a reason.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, roster: RosterFactory) -> None:
        self.uow, self.clock, self.roster = uow, clock, roster

    async def __call__(self, principal: Principal, cmd: MarkCommand) -> Mark:
        async def attempt() -> Mark:
            async with self.uow as uow:
                now = self.clock.now()
                att = await load_session(uow.session, principal.institution_id, cmd.session_id)
                editor = await editor_for(principal, att, self.roster(uow.session))
                code = (await code_book(uow.session, att.institution_id)).usable(cmd.code)
                mark = await SqlAlchemyMarks(uow.session).get(att.id, cmd.student_id)
                if mark is None:
                    raise InvalidError(
                        "The student is not on this session's roster.",
                        [FieldProblem(("student_id",), "not enrolled in the section")],
                    )
                change = mark.edit(
                    code,
                    editor=editor,
                    actor_id=principal.person_id,
                    now=now,
                    expected_version=cmd.version,
                    minutes_late=cmd.minutes_late,
                    arrived_at=cmd.arrived_at,
                    departed_at=cmd.departed_at,
                    reason=cmd.reason,
                    locked=att.is_locked,
                )
                if change is not None:
                    att.open(now)
                    await SqlAlchemyHistory(uow.session).append([change])
                await uow.commit()
            return mark

        return await retrying(attempt)
