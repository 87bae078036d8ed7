"""Use case: a signed-in person changes their own password."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa

from edtech.identity.application.common import choose_password, refuse_if_throttled
from edtech.identity.application.password_policy import PasswordPolicy
from edtech.identity.application.sign_in import ACCOUNT
from edtech.identity.domain import EMAIL_MAX_LENGTH, LoginThrottle, SignInsRevoked
from edtech.identity.domain.links import PASSWORD_CHANGED
from edtech.identity.infrastructure import (
    SqlAlchemyAccounts,
    SqlAlchemyLoginAttempts,
    auth_session_table,
)
from edtech.identity.infrastructure.links import SqlAlchemyAudit
from edtech.kernel.clock import Clock
from edtech.kernel.errors import FieldProblem, InvalidError, NotFoundError
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork
from edtech.platform.security.passwords import verify_password


class ChangePassword:
    """Change one's own password, proving the current one; every other session ends (this one
    stays signed in). A wrong current password counts as a failed sign-in for the login, so it
    is throttled together with sign-in (429)."""

    def __init__(
        self,
        uow: UnitOfWork,
        clock: Clock,
        throttle: LoginThrottle,
        passwords: PasswordPolicy | None = None,
    ) -> None:
        self.uow, self.clock, self.throttle = uow, clock, throttle
        self.passwords = passwords or PasswordPolicy()

    async def __call__(
        self, principal: Principal, current: str, new: str, client_address: str | None = None
    ) -> None:
        now = self.clock.now()
        async with self.uow as uow:
            account = await SqlAlchemyAccounts(uow.session).get(principal.account_id)
            if account is None:
                raise NotFoundError("This login no longer exists.")
            email = account.email
            subject = [(ACCOUNT, email[:EMAIL_MAX_LENGTH])]
            attempts = SqlAlchemyLoginAttempts(uow.session)
            await refuse_if_throttled(attempts, self.throttle, subject, now)
            stored = account.password_hash
        if not await asyncio.to_thread(verify_password, current, stored):
            async with self.uow as uow:
                attempts = SqlAlchemyLoginAttempts(uow.session)
                await attempts.prune(self.throttle.since(now))
                await attempts.record(subject, now)
                await uow.commit()
            raise InvalidError(
                "The current password is wrong.",
                [FieldProblem(("current_password",), "not your current password")],
            )
        password_hash = await choose_password(new, email, self.passwords)
        async with self.uow as uow:
            account = await SqlAlchemyAccounts(uow.session).get(principal.account_id)
            if account is None:
                raise NotFoundError("This login no longer exists.")
            account.password_hash = password_hash
            s = auth_session_table
            await uow.session.execute(
                sa.update(s)
                .where(
                    s.c.account_id == account.id,
                    s.c.revoked_at.is_(None),
                    s.c.id != principal.session_id,
                )
                .values(revoked_at=now, revoked_reason=PASSWORD_CHANGED)
            )
            # Sockets opened with the ended sessions close on every node.
            uow.emit(
                SignInsRevoked(
                    institution_id=account.institution_id,
                    occurred_at=now,
                    person_id=principal.person_id,
                    reason=PASSWORD_CHANGED,
                )
            )
            await SqlAlchemyAudit(uow.session).record(
                institution_id=account.institution_id,
                at=now,
                action="password_changed",
                actor=f"person:{principal.person_id}",
                subject_person_id=principal.person_id,
                client_address=client_address,
            )
            await uow.commit()
