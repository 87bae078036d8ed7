"""Use case: the link sent to a new address confirms it; the login signs in with it from now."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from edtech.identity.application.common import LINK_ADDRESS, count_attempt, refuse_if_throttled
from edtech.identity.domain import LoginThrottle, SignInsRevoked
from edtech.identity.domain.links import EMAIL_CHANGED, LinkInvalidError
from edtech.identity.infrastructure import (
    SqlAlchemyAccounts,
    SqlAlchemyAuthSessions,
    SqlAlchemyLoginAttempts,
)
from edtech.identity.infrastructure.links import SqlAlchemyAudit, SqlAlchemyEmailChanges
from edtech.kernel.clock import Clock
from edtech.kernel.errors import ConflictError
from edtech.platform.db.uow import UnitOfWork
from edtech.platform.security.keys import hash_secret


class ConfirmEmailChange:
    """Follow the link sent to a new address: the login's email becomes it, the link is spent
    and every session of the login ends (like any change of a login). Expired, used or unknown
    links are refused with a problem saying which and nothing changes; an address another login
    took meanwhile is a conflict (409)."""

    def __init__(self, uow: UnitOfWork, clock: Clock, throttle: LoginThrottle) -> None:
        self.uow, self.clock, self.throttle = uow, clock, throttle

    async def __call__(self, token: str, client_address: str | None = None) -> str:
        """Returns the new address."""
        now = self.clock.now()
        async with self.uow as uow:
            attempts = SqlAlchemyLoginAttempts(uow.session)
            subjects = [(LINK_ADDRESS, client_address)] if client_address else []
            await refuse_if_throttled(attempts, self.throttle, subjects, now)
            change = await SqlAlchemyEmailChanges(uow.session).by_token_hash(hash_secret(token))
            if change is None:
                if subjects:
                    await count_attempt(attempts, self.throttle, subjects, now)
                    await uow.commit()
                raise LinkInvalidError()
            change.use(now)
            accounts = SqlAlchemyAccounts(uow.session)
            holder = await accounts.by_email(change.new_email)
            if holder is not None and holder.id != change.account_id:
                raise ConflictError("Another login already uses this email.")
            account = await accounts.get(change.account_id)
            if account is None:
                raise LinkInvalidError()
            old = account.email
            account.email = change.new_email
            await SqlAlchemyAuthSessions(uow.session).revoke_all(account.id, now, EMAIL_CHANGED)
            # Sockets opened with the ended sessions close on every node.
            uow.emit(
                SignInsRevoked(
                    institution_id=account.institution_id,
                    occurred_at=now,
                    person_id=account.person_id,
                    reason=EMAIL_CHANGED,
                )
            )
            await SqlAlchemyAudit(uow.session).record(
                institution_id=account.institution_id,
                at=now,
                action="email_changed",
                actor=f"person:{account.person_id}",
                subject_person_id=account.person_id,
                client_address=client_address,
                detail={"old_email": old, "new_email": change.new_email},
            )
            try:
                await uow.commit()
            except IntegrityError as exc:  # the address was taken at the same moment
                raise ConflictError("Another login already uses this email.") from exc
        return change.new_email
