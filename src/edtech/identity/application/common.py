"""What identity's link use cases share: tokens, link addresses, messages, passwords, throttling.

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

from edtech.identity.application.password_policy import PasswordPolicy
from edtech.identity.domain import LoginThrottle
from edtech.identity.infrastructure import SqlAlchemyLoginAttempts
from edtech.kernel.errors import TooManyRequestsError
from edtech.platform.observability.logging import get_logger
from edtech.platform.security.passwords import hash_password
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
