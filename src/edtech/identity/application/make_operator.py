"""Use case (command line only): make a login a platform operator."""

from __future__ import annotations

from edtech.identity.domain import normalize_email
from edtech.identity.infrastructure import SqlAlchemyAccounts
from edtech.identity.infrastructure.links import SqlAlchemyAudit, SqlAlchemyOperators
from edtech.kernel.clock import Clock
from edtech.kernel.errors import NotFoundError
from edtech.platform.db.uow import UnitOfWork


class MakeOperator:
    """Mark an existing login as a platform operator: it may then create, list, suspend and
    reactivate institutions over REST. Only the command line does this (whoever runs it holds
    the database already); no REST route grants it. Returns False if it already was one."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    async def __call__(self, email: str) -> bool:
        now = self.clock.now()
        async with self.uow as uow:
            account = await SqlAlchemyAccounts(uow.session).by_email(normalize_email(email))
            if account is None:
                raise NotFoundError(f"No login uses {email!r}.")
            added = await SqlAlchemyOperators(uow.session).add(account.id, now)
            if added:
                await SqlAlchemyAudit(uow.session).record(
                    institution_id=account.institution_id,
                    at=now,
                    action="operator_granted",
                    actor="command_line",
                    subject_person_id=account.person_id,
                )
            await uow.commit()
        return added
