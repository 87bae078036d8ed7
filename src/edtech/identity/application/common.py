"""What identity's use cases share: the token pair and access-token checks, link addresses,
messages, passwords, throttling, who manages devices.

`choose_password` is the one place a password someone chose (at an invitation, a reset, a
change) becomes a hash: the password policy applies there.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from edtech.identity.application.password_policy import PasswordPolicy
from edtech.identity.domain import Account, AuthSession, LoginThrottle, RefreshToken
from edtech.identity.infrastructure import SqlAlchemyLoginAttempts, live_login_of, live_logins
from edtech.institutions.public import GrantsAtWhere, GrantsOfMany, PersonGrants
from edtech.kernel.errors import AuthenticationError, TooManyRequestsError
from edtech.kernel.principal import Principal
from edtech.platform.db.bulk import padded
from edtech.platform.observability.logging import get_logger
from edtech.platform.security.keys import hash_secret, new_secret
from edtech.platform.security.passwords import hash_password
from edtech.platform.security.tokens import TokenSigner
from edtech.platform.services import Services
from edtech.settings import Settings

log = get_logger("edtech.identity")

INVITATION_PATH = "/app/invitation"
RESET_PATH = "/app/reset-password"
EMAIL_PATH = "/app/confirm-email"
EMAIL_TOKEN_PREFIX = "eml_"
INVITATION_TOKEN_PREFIX = "inv_"
RESET_TOKEN_PREFIX = "pwr_"

# Throttle scopes (`login_attempt.scope`), beside sign-in's "account" and "address".
LINK_ADDRESS = "link_address"
"""A link token that matched nothing, from this client address."""
RESET_ACCOUNT = "reset_account"
RESET_ADDRESS = "reset_address"
"""Password-reset requests for this email / from this address (requests, not failures)."""


@dataclass(frozen=True)
class Links:
    """How links in mail are made: where the deployment is, the key, how long links last."""

    public_url: str
    secret_key: str
    invitation_ttl: timedelta
    reset_ttl: timedelta

    def invitation_token(self, invitation_id: uuid.UUID) -> str:
        """The invitation's token, derived from its id with the node's secret.

        Derived rather than random so that re-sending an invitation sends the very same link
        (sending is idempotent) while the database still holds only the token's hash.
        """
        digest = hmac.new(
            self.secret_key.encode(), f"invitation:{invitation_id}".encode(), hashlib.sha256
        ).digest()
        return INVITATION_TOKEN_PREFIX + base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def url(self, path: str, token: str) -> str:
        return f"{self.public_url.rstrip('/')}{path}?token={token}"

    def url_of(self, path: str) -> str:
        return f"{self.public_url.rstrip('/')}{path}"


def links(services: Services) -> Links:
    """The port a link use case gets (`use_case(Cls, links, …)`)."""
    return links_from_settings(services.settings)


def links_from_settings(s: Settings) -> Links:
    return Links(
        public_url=s.public_url,
        secret_key=s.secret_key,
        invitation_ttl=timedelta(seconds=s.invitation_ttl_seconds),
        reset_ttl=timedelta(seconds=s.password_reset_ttl_seconds),
    )


async def choose_password(password: str, email: str, policy: PasswordPolicy) -> str:
    """The hash of a password a person chose for the login `email`, once the password policy
    accepts it (422 otherwise; both run off the event loop). Every password identity's links
    and self-service set — invitations, setup links, resets, changes, `--password-stdin` —
    passes here."""
    await asyncio.to_thread(policy.check, password, email)
    return await asyncio.to_thread(hash_password, password)


def password_policy(services: Services) -> PasswordPolicy:
    """The port a use case that sets passwords gets (`EDTECH_PASSWORD_MIN_LENGTH`)."""
    return PasswordPolicy(services.settings.password_min_length)


async def unusable_password() -> str:
    """A hash no password matches (a login that exists before its owner chose a password)."""
    return await asyncio.to_thread(hash_password, secrets.token_urlsafe(32))


async def refuse_if_throttled(
    attempts: SqlAlchemyLoginAttempts,
    throttle: LoginThrottle,
    subjects: Sequence[tuple[str, str]],
    now: datetime,
) -> None:
    """429 while any of (scope, subject) has reached the throttle's limit in its window."""
    for scope, subject in subjects:
        count, latest = await attempts.failures(scope, subject, throttle.since(now))
        retry_after = throttle.retry_after(count, latest, now)
        if retry_after is not None:
            log.warning("link_throttled", scope=scope, subject=subject)
            raise TooManyRequestsError(
                "Too many attempts; try again later.", retry_after=retry_after
            )


async def count_attempt(
    attempts: SqlAlchemyLoginAttempts,
    throttle: LoginThrottle,
    subjects: Sequence[tuple[str, str]],
    now: datetime,
) -> None:
    await attempts.prune(throttle.since(now))
    await attempts.record(subjects, now)


def actor_of(person_id: uuid.UUID | None) -> str:
    return f"person:{person_id}" if person_id is not None else "system"


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    text: str


def invitation_message(
    to: str, name: str, institution: str, url: str, expires_at: datetime
) -> Message:
    return Message(
        to=to,
        subject=f"Your account at {institution}",
        text=(
            f"Hello {name},\n\n"
            f"{institution} invites you to its school platform. Choose your password here:\n\n"
            f"{url}\n\n"
            f"The link works once, until {expires_at:%Y-%m-%d %H:%M} UTC.\n"
            "If you did not expect this message, you can ignore it.\n"
        ),
    )


def reset_message(to: str, url: str, expires_at: datetime) -> Message:
    return Message(
        to=to,
        subject="Choose a new password",
        text=(
            "Someone (we hope you) asked to reset the password of this address.\n\n"
            f"Choose a new password here:\n\n{url}\n\n"
            f"The link works once, until {expires_at:%Y-%m-%d %H:%M} UTC. Using it signs you "
            "out everywhere.\nIf you did not ask, ignore this message: nothing changes.\n"
        ),
    )


def email_change_message(to: str, url: str, expires_at: datetime) -> Message:
    return Message(
        to=to,
        subject="Confirm your new email address",
        text=(
            "Someone (we hope you) asked to sign in with this address from now on.\n\n"
            f"Confirm it here:\n\n{url}\n\n"
            f"The link works once, until {expires_at:%Y-%m-%d %H:%M} UTC. Confirming signs you "
            "out everywhere.\nIf you did not ask, ignore this message: nothing changes.\n"
        ),
    )


def email_change_notice(to: str, new_email: str) -> Message:
    return Message(
        to=to,
        subject="Your sign-in address is about to change",
        text=(
            f"A change of your sign-in address to {new_email} was requested. It takes effect "
            "only when confirmed from that address.\nIf this was not you, change your password "
            "now.\n"
        ),
    )


def may_manage_devices(principal: Principal, school_id: uuid.UUID) -> bool:
    """Institution admins manage every school's devices; school admins their own school's."""
    return principal.is_admin_of(school_id)


ACCESS = "access"
REFRESH_TOKEN_PREFIX = "rt_"


@dataclass(frozen=True)
class IssuedTokens:
    """What a client receives after signing in or refreshing (the refresh secret is shown once)."""

    access_token: str
    expires_in: int
    refresh_token: str
    refresh_expires_in: int
    account_id: uuid.UUID
    session_id: uuid.UUID


class TokenIssuer:
    """Signs access tokens (claims: sub=account, pid=person, iid=institution, sid=session)."""

    def __init__(self, signer: TokenSigner, access_ttl: timedelta, refresh_ttl: timedelta) -> None:
        self.signer = signer
        self.access_ttl = access_ttl
        self.refresh_ttl = refresh_ttl

    def issue(
        self, account: Account, family: AuthSession, now: datetime
    ) -> tuple[IssuedTokens, RefreshToken]:
        """A new pair in `family`; the caller stores the returned refresh-token row."""
        secret = new_secret(REFRESH_TOKEN_PREFIX)
        row = family.issue_refresh_token(hash_secret(secret), now, self.refresh_ttl)
        access = self.signer.issue(
            ACCESS,
            str(account.id),
            now,
            self.access_ttl,
            pid=str(account.person_id),
            iid=str(account.institution_id),
            sid=str(family.id),
        )
        issued = IssuedTokens(
            access_token=access,
            expires_in=int(self.access_ttl.total_seconds()),
            refresh_token=secret,
            refresh_expires_in=int(self.refresh_ttl.total_seconds()),
            account_id=account.id,
            session_id=family.id,
        )
        return issued, row


def _claim_id(claims: dict[str, Any], name: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(claims[name]))
    except (KeyError, ValueError) as exc:
        raise AuthenticationError("Invalid token.", reason="invalid") from exc


_LIVE_GRANTS = GrantsAtWhere(live_login_of)
"""The signed-in person's name and roles, if their login is active and their session live: every
authenticated request asks it, in one statement (built once, values bound at execution)."""


@dataclass(frozen=True, slots=True)
class SignedIn:
    """Who an access token says is signed in; `authenticate_access_token` checks it holds."""

    account_id: uuid.UUID
    session_id: uuid.UUID
    person_id: uuid.UUID
    institution_id: uuid.UUID

    def principal(self, person: PersonGrants | None) -> Principal:
        """The principal, given the person's grants read now (None: the sign-in is over)."""
        if person is None:
            raise AuthenticationError("Token has been revoked.", reason="revoked")
        return Principal(
            account_id=self.account_id,
            person_id=self.person_id,
            institution_id=self.institution_id,
            display_name=person.display_name,
            grants=person.grants,
            session_id=self.session_id,
            timezone=person.timezone,
        )


def signed_in(signer: TokenSigner, token: str, now: datetime) -> SignedIn:
    """The sign-in a signed, unexpired access token names; AuthenticationError otherwise."""
    claims = signer.verify(token, ACCESS, now)
    return SignedIn(
        account_id=_claim_id(claims, "sub"),
        session_id=_claim_id(claims, "sid"),
        person_id=_claim_id(claims, "pid"),
        institution_id=_claim_id(claims, "iid"),
    )


async def authenticate_access_token(
    session: AsyncSession, signer: TokenSigner, token: str, now: datetime
) -> Principal:
    """Accept a signed, unexpired access token whose login is active and whose session is live.

    Roles are read fresh on every request from the roster (not from the token), so a role that
    ends or starts takes effect at once, and so does a revoked session or a disabled login. The
    token's person and institution are checked to be its login's in the same statement.
    """
    login = signed_in(signer, token, now)
    return login.principal(await live_grants(session, login, now))


async def live_grants(session: AsyncSession, login: SignedIn, now: datetime) -> PersonGrants | None:
    """The person's name and roles now, if `login` still holds (one statement)."""
    return await _LIVE_GRANTS(
        session,
        login.institution_id,
        login.person_id,
        now,
        account_id=login.account_id,
        session_id=login.session_id,
    )


_MANY_LIVE_GRANTS = GrantsOfMany(
    live_logins(postgresql=True),
    key=("account_id", "session_id", "person_id", "institution_id"),
    elsewhere=live_logins(postgresql=False),
)


async def live_grants_of_many(
    session: AsyncSession, logins: Sequence[SignedIn], now: datetime
) -> list[PersonGrants | None]:
    """`live_grants` of each of `logins`, in order, in one statement.

    On PostgreSQL the sessions are one array (one statement text; ADR-0023); elsewhere the
    list is `padded` to a power of two: six statement texts serve every batch."""
    keys = [(s.account_id, s.session_id, s.person_id, s.institution_id) for s in logins]
    sessions = list(dict.fromkeys(s.session_id for s in logins))
    if session.get_bind().dialect.name != "postgresql":
        sessions = padded(sessions)
    found = await _MANY_LIVE_GRANTS(session, now, sessions=sessions)
    return [found.get(key) for key in keys]


async def principals_of(
    session: AsyncSession, signer: TokenSigner, tokens: Sequence[str], now: datetime
) -> list[Principal | AuthenticationError]:
    """The caller of each access token, or the `AuthenticationError` that refuses it, in order:
    `authenticate_access_token`'s checks, the sign-ins of the signed, unexpired tokens read in
    one statement on `session` — the transaction of the work done for them, so a request that
    writes reads who is calling in the transaction it writes in, not in one of its own."""
    logins: list[SignedIn | AuthenticationError] = []
    for token in tokens:
        try:
            logins.append(signed_in(signer, token, now))
        except AuthenticationError as exc:
            logins.append(exc)
    live = [login for login in logins if isinstance(login, SignedIn)]
    grants = iter(await live_grants_of_many(session, live, now) if live else [])
    out: list[Principal | AuthenticationError] = []
    for login in logins:
        if isinstance(login, AuthenticationError):
            out.append(login)
            continue
        try:
            out.append(login.principal(next(grants)))
        except AuthenticationError as exc:
            out.append(exc)
    return out


async def still_signed_in(session: AsyncSession, principal: Principal, now: datetime) -> bool:
    """Does the sign-in behind `principal` still hold: login active, session not revoked,
    person still on the roll? (What every access token is checked for, without the token:
    an open websocket is asked this when someone's access may have been withdrawn.)"""
    if principal.session_id is None:
        return False
    login = SignedIn(
        principal.account_id, principal.session_id, principal.person_id, principal.institution_id
    )
    return await live_grants(session, login, now) is not None
