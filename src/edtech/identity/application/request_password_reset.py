"""Use case: someone who forgot their password asks for a reset link."""

from __future__ import annotations

from edtech.identity.application.common import (
    RESET_ACCOUNT,
    RESET_ADDRESS,
    RESET_PATH,
    RESET_TOKEN_PREFIX,
    Links,
    Message,
    count_attempt,
    refuse_if_throttled,
    reset_message,
)
from edtech.identity.domain import EMAIL_MAX_LENGTH, LoginThrottle, normalize_email
from edtech.identity.domain.links import PasswordReset
from edtech.identity.infrastructure import SqlAlchemyAccounts, SqlAlchemyLoginAttempts
from edtech.identity.infrastructure.links import SqlAlchemyAudit, SqlAlchemyPasswordResets
from edtech.institutions.public import person_grants_at
from edtech.kernel.clock import Clock
from edtech.kernel.ids import new_id
from edtech.platform.db.uow import UnitOfWork
from edtech.platform.mail import Mail, require_mail
from edtech.platform.security.keys import hash_secret, new_secret


class RequestPasswordReset:
    """Ask for a password-reset link for an email address.

    The answer is the same whether or not a login uses the address, so it tells nobody who
    has one; when one does (active, its person on the roll), a single-use link valid
    `EDTECH_PASSWORD_RESET_TTL_SECONDS` (1 hour) is mailed to it. Requests are counted per
    email and per client address like sign-in failures (429 past the limit). When this node
    cannot send mail, it answers 503 for every address alike.
    """

    def __init__(
        self, uow: UnitOfWork, clock: Clock, mail: Mail, links: Links, throttle: LoginThrottle
    ) -> None:
        self.uow, self.clock, self.mail = uow, clock, mail
        self.links, self.throttle = links, throttle

    async def __call__(self, email: str, client_address: str | None = None) -> Message | None:
        """The message to send (the caller sends it after answering), or None."""
        require_mail(self.mail)
        now = self.clock.now()
        email = normalize_email(email)[:EMAIL_MAX_LENGTH]
        subjects = [(RESET_ACCOUNT, email)]
        if client_address:
            subjects.append((RESET_ADDRESS, client_address))
        async with self.uow as uow:
            attempts = SqlAlchemyLoginAttempts(uow.session)
            await refuse_if_throttled(attempts, self.throttle, subjects, now)
            await count_attempt(attempts, self.throttle, subjects, now)
            account = await SqlAlchemyAccounts(uow.session).by_email(email)
            message = None
            if (
                account is not None
                and account.is_active
                and await person_grants_at(
                    uow.session, account.institution_id, account.person_id, now
                )
                is not None
            ):
                token = new_secret(RESET_TOKEN_PREFIX)
                reset = PasswordReset(
                    id=new_id(),
                    institution_id=account.institution_id,
                    account_id=account.id,
                    token_hash=hash_secret(token),
                    created_at=now,
                    expires_at=now + self.links.reset_ttl,
                    client_address=client_address,
                )
                SqlAlchemyPasswordResets(uow.session).add(reset)
                await SqlAlchemyAudit(uow.session).record(
                    institution_id=account.institution_id,
                    at=now,
                    action="password_reset_requested",
                    actor="anonymous",
                    subject_person_id=account.person_id,
                    client_address=client_address,
                    detail={"reset_id": str(reset.id)},
                )
                message = reset_message(
                    account.email, self.links.url(RESET_PATH, token), reset.expires_at
                )
            await uow.commit()
        return message
