"""Use case: the teacher's one-click roll call (everyone still unmarked is present)."""

from __future__ import annotations

import uuid

from edtech.attendance.application.common import code_book, editor_for, load_session, retrying
from edtech.attendance.application.ports import RosterFactory
from edtech.attendance.domain import Category, MarkChange
from edtech.attendance.infrastructure.repositories import SqlAlchemyHistory, SqlAlchemyMarks
from edtech.kernel.clock import Clock
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork


class MarkAllPresent:
    """Mark every student still unmarked present (the teacher's one-click roll call)."""

    def __init__(self, uow: UnitOfWork, clock: Clock, roster: RosterFactory) -> None:
        self.uow, self.clock, self.roster = uow, clock, roster

    async def __call__(self, principal: Principal, session_id: uuid.UUID) -> int:
        async def attempt() -> int:
            async with self.uow as uow:
                now = self.clock.now()
                att = await load_session(uow.session, principal.institution_id, session_id)
                editor = await editor_for(principal, att, self.roster(uow.session))
                present = (await code_book(uow.session, att.institution_id)).system(
                    Category.PRESENT
                )
                changes: list[MarkChange] = []
                marks = await SqlAlchemyMarks(uow.session).of_session(att.id)
                for mark in marks:
                    if mark.is_marked:
                        continue
                    change = mark.edit(
                        present,
                        editor=editor,
                        actor_id=principal.person_id,
                        now=now,
                        locked=att.is_locked,
                        reason="mark all unmarked present" if att.is_locked else None,
                    )
                    if change is not None:
                        changes.append(change)
                if changes:
                    att.open(now)
                    await SqlAlchemyHistory(uow.session).append(changes)
                await uow.commit()
            return len(changes)

        return await retrying(attempt)
