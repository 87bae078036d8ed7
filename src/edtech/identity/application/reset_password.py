"""Use case: a reset link sets a new password and ends every session."""

from __future__ import annotations

from edtech.identity.application.common import (
    LINK_ADDRESS,
    choose_password,
    count_attempt,
    refuse_if_throttled,
)
from edtech.identity.application.password_policy import PasswordPolicy
from edtech.identity.domain import LoginThrottle, SignInsRevoked
from edtech.identity.domain.links import PASSWORD_RESET, LinkInvalidError
from edtech.identity.infrastructure import (
    SqlAlchemyAccounts,
    SqlAlchemyAuthSessions,
    SqlAlchemyLoginAttempts,
)
from edtech.identity.infrastructure.links import (
    SqlAlchemyAudit,
    SqlAlchemyInvitations,
    SqlAlchemyPasswordResets,
)
from edtech.kernel.clock import Clock
from edtech.platform.db.uow import UnitOfWork
from edtech.platform.observability.logging import get_logger
from edtech.platform.security.keys import hash_secret

log = get_logger("edtech.identity")


class ResetPassword:
    """Set a new password with a reset link: the link is spent and every session of the login
    ends (whoever knew the old password keeps nothing). An expired, used or unknown link is
    refused with a problem saying which and nothing changes; unknown tokens count against the
    client's address like failed sign-ins."""

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
        self, token: str, new_password: str, client_address: str | None = None
    ) -> None:
        now = self.clock.now()
        async with self.uow as uow:
            attempts = SqlAlchemyLoginAttempts(uow.session)
            subjects = [(LINK_ADDRESS, client_address)] if client_address else []
            await refuse_if_throttled(attempts, self.throttle, subjects, now)
            reset = await SqlAlchemyPasswordResets(uow.session).by_token_hash(hash_secret(token))
            if reset is None:
                if subjects:
                    await count_attempt(attempts, self.throttle, subjects, now)
                    await uow.commit()
                raise LinkInvalidError()
            reset.use(now)
            account = await SqlAlchemyAccounts(uow.session).get(reset.account_id)
            if account is None:
                raise LinkInvalidError()
            account.password_hash = await choose_password(
                new_password, account.email, self.passwords
            )
            await SqlAlchemyAuthSessions(uow.session).revoke_all(account.id, now, PASSWORD_RESET)
            # Sockets opened with the ended sessions close on every node.
            uow.emit(
                SignInsRevoked(
                    institution_id=account.institution_id,
                    occurred_at=now,
                    person_id=account.person_id,
                    reason=PASSWORD_RESET,
                )
            )
            # A pending invitation would be a second way in: its link goes too.
            await SqlAlchemyInvitations(uow.session).revoke_live(account.person_id, now)
            await SqlAlchemyAudit(uow.session).record(
                institution_id=account.institution_id,
                at=now,
                action="password_reset",
                actor=f"person:{account.person_id}",
                subject_person_id=account.person_id,
                client_address=client_address,
                detail={"reset_id": str(reset.id)},
            )
            await uow.commit()
        log.info("password_reset", account_id=str(account.id))
