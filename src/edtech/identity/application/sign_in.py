"""Use case: exchange an email and a password for a new sign-in session."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from edtech.identity.application.common import IssuedTokens, TokenIssuer
from edtech.identity.domain import (
    EMAIL_MAX_LENGTH,
    Account,
    AuthSession,
    InvalidCredentialsError,
    LoginThrottle,
    normalize_email,
)
from edtech.identity.domain.sso import PasswordsNotAllowedError
from edtech.identity.infrastructure import (
    SqlAlchemyAccounts,
    SqlAlchemyAuthSessions,
    SqlAlchemyLoginAttempts,
)
from edtech.identity.infrastructure.sso import passwords_refused
from edtech.institutions.public import person_grants_at
from edtech.kernel.clock import Clock
from edtech.kernel.errors import TooManyRequestsError
from edtech.kernel.ids import new_id
from edtech.platform.db.uow import UnitOfWork
from edtech.platform.observability.logging import get_logger
from edtech.platform.security.passwords import verify_password

log = get_logger("edtech.identity")

ACCOUNT = "account"
ADDRESS = "address"


@dataclass(frozen=True)
class SignInCommand:
    email: str
    password: str
    client_address: str | None = None
    user_agent: str | None = None


class SignIn:
    """Sign in with email and password; start a session with an access and a refresh token.

    Wrong email, wrong password, a disabled login or a person no longer on the roll all get the
    same answer in the same time, so a caller cannot tell which it was. After too many failures
    for one email, or from one address, sign-in is refused (429) until the lock passes, without
    checking the password. A success clears the email's failures and records the sign-in.
    Where the institution allows only its single sign-on provider, a right password is
    answered 403 `sso_required`.
    """

    def __init__(
        self, uow: UnitOfWork, clock: Clock, issuer: TokenIssuer, throttle: LoginThrottle
    ) -> None:
        self.uow = uow
        self.clock = clock
        self.issuer = issuer
        self.throttle = throttle

    async def __call__(self, cmd: SignInCommand) -> IssuedTokens:
        now = self.clock.now()
        email = normalize_email(cmd.email)
        subjects = [(ACCOUNT, email[:EMAIL_MAX_LENGTH])]  # a longer one is no email anyway
        if cmd.client_address:
            subjects.append((ADDRESS, cmd.client_address))

        async with self.uow as uow:  # read phase: no transaction held while hashing
            attempts = SqlAlchemyLoginAttempts(uow.session)
            for scope, subject in subjects:
                count, latest = await attempts.failures(scope, subject, self.throttle.since(now))
                retry_after = self.throttle.retry_after(count, latest, now)
                if retry_after is not None:
                    log.warning(
                        "sign_in_throttled", scope=scope, email=email, client=cmd.client_address
                    )
                    raise TooManyRequestsError(
                        "Too many failed sign-ins; try again later.", retry_after=retry_after
                    )
            account = await SqlAlchemyAccounts(uow.session).by_email(email)
            stored_hash = None
            if account is not None:
                stored_hash = account.password_hash
                uow.session.expunge(account)  # keep its state readable after the read phase

        # argon2 takes a fifth of a second of CPU: keep it off the event loop.
        password_ok = await asyncio.to_thread(verify_password, cmd.password, stored_hash)
        if account is not None and password_ok and account.is_active:
            async with self.uow as uow:
                on_roll = await person_grants_at(
                    uow.session, account.institution_id, account.person_id, now
                )
                sso_only = await passwords_refused(uow.session, account.institution_id)
            if on_roll is not None:
                if sso_only:
                    raise PasswordsNotAllowedError()
                return await self._start_session(account, cmd, email, now)
        await self._record_failure(subjects, email, cmd, now)
        raise InvalidCredentialsError()

    async def _start_session(
        self, account: Account, cmd: SignInCommand, email: str, now: datetime
    ) -> IssuedTokens:
        async with self.uow as uow:
            attempts = SqlAlchemyLoginAttempts(uow.session)
            await attempts.clear(ACCOUNT, email[:EMAIL_MAX_LENGTH])
            loaded = await SqlAlchemyAccounts(uow.session).get(account.id)
            if loaded is None or not loaded.is_active:  # changed since the password check
                raise InvalidCredentialsError()
            loaded.signed_in(now)
            family = AuthSession(
                id=new_id(),
                institution_id=loaded.institution_id,
                account_id=loaded.id,
                created_at=now,
                client_address=cmd.client_address,
                user_agent=(cmd.user_agent or "")[:300] or None,
            )
            sessions = SqlAlchemyAuthSessions(uow.session)
            sessions.add(family)
            issued, token = self.issuer.issue(loaded, family, now)
            sessions.add_token(token)
            await uow.commit()
        log.info(
            "sign_in_succeeded",
            account_id=str(account.id),
            person_id=str(account.person_id),
            institution_id=str(account.institution_id),
            session_id=str(family.id),
            client=cmd.client_address,
        )
        return issued

    async def _record_failure(
        self, subjects: list[tuple[str, str]], email: str, cmd: SignInCommand, at: datetime
    ) -> None:
        async with self.uow as uow:
            attempts = SqlAlchemyLoginAttempts(uow.session)
            await attempts.prune(self.throttle.since(at))
            await attempts.record(subjects, at)
            await uow.commit()
        log.warning("sign_in_failed", email=email, client=cmd.client_address)
