"""Identity rules: accounts, sign-in sessions with rotating refresh tokens, throttling, devices."""

from __future__ import annotations

import math
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import ClassVar

from edtech.kernel.errors import AuthenticationError, FieldProblem, InvalidError
from edtech.kernel.events import DomainEvent
from edtech.kernel.ids import new_id

EMAIL_MAX_LENGTH = 254
_EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")


def normalize_email(email: str) -> str:
    """Emails are compared and stored lowercase and trimmed: one login per address."""
    return email.strip().lower()


def check_email(email: str) -> str:
    """The normalised address, or InvalidError when it is not one.

    Deliberately looser than RFC 5322 (and than email-validator, which refuses the reserved
    `.test` domain the demo school uses): an address has a local part, an `@` and a dotted host.
    """
    normalized = normalize_email(email)
    if len(normalized) > EMAIL_MAX_LENGTH or not _EMAIL.fullmatch(normalized):
        raise InvalidError(
            "Not an email address.", [FieldProblem(("email",), "Not an email address.")]
        )
    return normalized


class InvalidCredentialsError(AuthenticationError):
    """Email or password is wrong; deliberately does not say which, nor whether the email exists."""

    def __init__(self) -> None:
        super().__init__("Incorrect email or password.")


class RefreshTokenReusedError(AuthenticationError):
    """A refresh token that was already exchanged came back: someone holds a copy of it."""

    def __init__(self) -> None:
        super().__init__("Refresh token is no longer valid.", reason="reused")


class RefreshTokenExpiredError(AuthenticationError):
    """The refresh token outlived its lifetime: sign in again."""

    def __init__(self) -> None:
        super().__init__("Refresh token is no longer valid.", reason="expired")


@dataclass(eq=False)
class Account:
    """A person's login: one per person, one per email address."""

    id: uuid.UUID
    institution_id: uuid.UUID
    person_id: uuid.UUID
    email: str
    password_hash: str
    is_active: bool
    created_at: datetime
    last_login_at: datetime | None = None

    def signed_in(self, at: datetime) -> None:
        self.last_login_at = at


class RevokeReason:
    """Why a sign-in session ended (stored on the session, shown to its owner)."""

    LOGOUT = "logout"
    LOGOUT_ALL = "logout_all"
    REUSE_DETECTED = "refresh_token_reuse"
    LOGIN_CHANGED = "login_changed"


@dataclass(frozen=True, kw_only=True)
class SignInsRevoked(DomainEvent):
    """Sign-in sessions of a person ended before their time (logout, a revoked session, a
    reused refresh token, a changed or disabled login): their open sockets must close.

    Published on no channel; every node checks that person's sockets again (identity
    `channels.py`) and closes those whose session no longer holds.
    """

    type: ClassVar[str] = "identity.sign_ins_revoked"
    person_id: uuid.UUID
    reason: str


@dataclass(eq=False)
class AuthSession:
    """One sign-in: a family of refresh tokens, each replacing the one before.

    Revoking the family ends the sign-in: its refresh tokens stop rotating and the access
    tokens issued under it stop being accepted, even before they expire.
    """

    id: uuid.UUID
    institution_id: uuid.UUID
    account_id: uuid.UUID
    created_at: datetime
    last_refreshed_at: datetime | None = None
    revoked_at: datetime | None = None
    revoked_reason: str | None = None
    client_address: str | None = None
    user_agent: str | None = None

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def revoke(self, at: datetime, reason: str) -> None:
        """End the sign-in; revoking twice keeps the first time and reason."""
        if self.revoked_at is None:
            self.revoked_at = at
            self.revoked_reason = reason

    def issue_refresh_token(self, token_hash: str, now: datetime, ttl: timedelta) -> RefreshToken:
        """A new refresh token of this family (the caller keeps the secret; we keep its hash)."""
        if self.is_revoked:
            raise AuthenticationError("Session has been revoked.", reason="revoked")
        self.last_refreshed_at = now
        return RefreshToken(
            id=new_id(),
            institution_id=self.institution_id,
            session_id=self.id,
            token_hash=token_hash,
            issued_at=now,
            expires_at=now + ttl,
        )


@dataclass(eq=False)
class RefreshToken:
    """One use of a refresh token: it may be exchanged exactly once, before it expires."""

    id: uuid.UUID
    institution_id: uuid.UUID
    session_id: uuid.UUID
    token_hash: str
    issued_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    replaced_by: uuid.UUID | None = None

    def check_spendable(self, now: datetime) -> None:
        """Reuse is checked first: a spent token coming back is theft even if it has expired."""
        if self.used_at is not None:
            raise RefreshTokenReusedError()
        if self.expires_at <= now:
            raise RefreshTokenExpiredError()


@dataclass(frozen=True)
class LoginThrottle:
    """At most `max_failures` failed sign-ins per account, and per address, in `window`.

    Reaching the limit locks that account (or address) out for a whole `window` after the last
    failure; attempts during the lock are refused without checking the password, so they
    neither count nor reveal whether the password was right.
    """

    max_failures: int
    window: timedelta

    def since(self, now: datetime) -> datetime:
        """Failures after this instant still count."""
        return now - self.window

    def retry_after(self, failures: int, latest: datetime | None, now: datetime) -> int | None:
        """Seconds until the next attempt is allowed, or None when it is allowed now."""
        if failures < self.max_failures or latest is None:
            return None
        remaining = (latest + self.window - now).total_seconds()
        if remaining <= 0:
            return None
        return max(1, math.ceil(remaining))


KEY_PREFIX_LENGTH = 8


@dataclass(eq=False)
class Device:
    """A scanner or kiosk of one school, authenticated by an API key shown once at creation."""

    id: uuid.UUID
    institution_id: uuid.UUID
    school_id: uuid.UUID
    name: str
    location: str | None
    key_hash: str
    key_prefix: str
    created_at: datetime
    revoked_at: datetime | None = None
    last_seen_at: datetime | None = None

    @classmethod
    def register(
        cls,
        *,
        institution_id: uuid.UUID,
        school_id: uuid.UUID,
        name: str,
        location: str | None,
        key: str,
        key_hash: str,
        now: datetime,
    ) -> Device:
        """Keep only the key's hash, and its first characters so people can tell keys apart."""
        return cls(
            id=new_id(),
            institution_id=institution_id,
            school_id=school_id,
            name=name,
            location=location,
            key_hash=key_hash,
            key_prefix=key[:KEY_PREFIX_LENGTH],
            created_at=now,
        )

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def revoke(self, at: datetime) -> None:
        """A revoked key is refused from then on; revoking twice keeps the first time."""
        if self.revoked_at is None:
            self.revoked_at = at
