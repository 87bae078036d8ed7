"""Single sign-on with OpenID Connect: an institution's providers, sign-in attempts (state,
nonce, PKCE verifier) and the identities people linked, with the rules an ID token must pass.

Every refusal has its own problem code and changes nothing but spending the attempt: an
attempt is single-use whatever its outcome, so a refused callback cannot be replayed.
"""

from __future__ import annotations

import ipaddress
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from edtech.kernel.errors import (
    AuthenticationError,
    DomainError,
    FieldProblem,
    ForbiddenError,
    InvalidError,
    UnavailableError,
)

ATTEMPT_TTL = timedelta(minutes=10)
"""How long a sign-in started at a provider may take to come back."""
CLOCK_SKEW = timedelta(seconds=60)
"""Leeway for the provider's clock when judging `exp` and `iat`."""
PROVIDER_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


# Refusals of the callback's state (400: the browser came back with something we never sent).
class SsoStateError(DomainError):
    code = "sso_state_invalid"

    def __init__(self, message: str = "This sign-in was not started here, or was forged.") -> None:
        super().__init__(message)


class SsoStateExpiredError(SsoStateError):
    code = "sso_state_expired"

    def __init__(self) -> None:
        super().__init__("This sign-in took too long: start again.")


class SsoStateUsedError(SsoStateError):
    code = "sso_state_used"

    def __init__(self) -> None:
        super().__init__("This sign-in was already completed or refused: start again.")


# Refusals of the provider's answer (401: the identity is not proven).
class SsoTokenError(AuthenticationError):
    """The ID token does not prove who the caller is; `code` says which check failed."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, reason=code)
        self.code = code


def bad_signature(message: str = "The ID token's signature does not verify.") -> SsoTokenError:
    return SsoTokenError("sso_bad_signature", message)


def wrong_issuer() -> SsoTokenError:
    return SsoTokenError("sso_wrong_issuer", "The ID token was issued by another provider.")


def wrong_audience() -> SsoTokenError:
    return SsoTokenError("sso_wrong_audience", "The ID token was issued to another application.")


def token_expired() -> SsoTokenError:
    return SsoTokenError("sso_token_expired", "The ID token has expired.")


def nonce_mismatch() -> SsoTokenError:
    return SsoTokenError("sso_nonce_mismatch", "The ID token belongs to another sign-in.")


class SsoCodeRejectedError(DomainError):
    """The provider refused to exchange the code (used, expired, or not ours): 400."""

    code = "sso_code_rejected"


class SsoProviderUnavailableError(UnavailableError):
    """The provider could not be reached or answered nonsense: 503, try later."""

    code = "sso_provider_unavailable"


class SsoEmailUnverifiedError(ForbiddenError):
    code = "sso_email_unverified"

    def __init__(self) -> None:
        super().__init__("The provider has not verified this email address.")


class SsoDomainNotAllowedError(ForbiddenError):
    code = "sso_domain_not_allowed"

    def __init__(self) -> None:
        super().__init__("This school does not accept sign-ins from this email domain.")


class SsoUnknownPersonError(ForbiddenError):
    code = "sso_unknown_email"

    def __init__(self) -> None:
        super().__init__(
            "Nobody at this school signs in with this address: ask the school to add it."
        )


class InstitutionSuspendedError(ForbiddenError):
    code = "institution_suspended"

    def __init__(self) -> None:
        super().__init__("This institution is suspended.")


def check_provider_name(name: str) -> str:
    if not PROVIDER_NAME.fullmatch(name):
        raise InvalidError(
            "Not a provider name.",
            [FieldProblem(("name",), "Lowercase letters, digits and '-', at most 40.")],
        )
    return name


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_issuer(issuer: str, allow_insecure: bool) -> str:
    """An issuer is an https URL without query or fragment (OpenID Connect Discovery §3);
    plain http only for a loopback host and only where the node allows it (tests)."""
    parts = urlsplit(issuer)
    ok = (
        parts.scheme in ("https", "http")
        and bool(parts.hostname)
        and not parts.query
        and not parts.fragment
        and not parts.username
        and (parts.scheme == "https" or (allow_insecure and _loopback(parts.hostname or "")))
    )
    if not ok:
        raise InvalidError(
            "Not an issuer.",
            [FieldProblem(("issuer",), "An https URL without query or fragment.")],
        )
    return issuer.rstrip("/") if parts.path in ("", "/") else issuer


def check_domains(domains: list[str]) -> list[str]:
    """Allowed email domains, lowercase, each once; at least one (never 'any address')."""
    cleaned = sorted({d.strip().lower().lstrip("@") for d in domains})
    bad = [d for d in cleaned if not _DOMAIN.fullmatch(d)]
    if bad or not cleaned:
        raise InvalidError(
            "Not a list of email domains.",
            [FieldProblem(("allowed_domains",), "One or more domains such as school.example.")],
        )
    return cleaned


@dataclass(eq=False)
class SsoProvider:
    """An OpenID provider an institution's people may sign in with (Google, Microsoft, …).

    Only people whose verified address is in `allowed_domains` get in. When
    `passwords_allowed` is false on an enabled provider, the institution's people may no longer
    sign in with a password.
    """

    id: uuid.UUID
    institution_id: uuid.UUID
    name: str
    display_name: str
    issuer: str
    client_id: str
    client_secret: str
    allowed_domains: list[str]
    passwords_allowed: bool
    enabled: bool
    created_at: datetime
    updated_at: datetime

    def allows(self, email: str) -> bool:
        domain = email.rpartition("@")[2].lower()
        return domain in self.allowed_domains


@dataclass(eq=False)
class SsoAttempt:
    """One sign-in sent to a provider: what must come back (state, nonce) and the PKCE
    verifier that proves the code is ours. Single-use, short-lived."""

    id: uuid.UUID
    institution_id: uuid.UUID
    provider_id: uuid.UUID
    state_hash: str
    nonce: str
    code_verifier: str
    created_at: datetime
    expires_at: datetime
    client_address: str | None = None
    used_at: datetime | None = None

    def use(self, at: datetime) -> None:
        if self.used_at is not None:
            raise SsoStateUsedError()
        if self.expires_at <= at:
            raise SsoStateExpiredError()
        self.used_at = at


@dataclass(eq=False)
class SsoIdentity:
    """A provider's subject linked to a login: after the first sign-in (matched by verified
    email) the person is recognised by the subject, whatever their address becomes."""

    id: uuid.UUID
    institution_id: uuid.UUID
    provider_id: uuid.UUID
    subject: str
    account_id: uuid.UUID
    email: str
    created_at: datetime
    last_used_at: datetime | None = None


@dataclass(frozen=True)
class VerifiedIdentity:
    """What a checked ID token says: the provider's subject and the verified address."""

    subject: str
    email: str
    claims: dict[str, Any] = field(repr=False, default_factory=dict)


def check_id_token_claims(
    claims: dict[str, Any], *, client_id: str, nonce: str, now: datetime
) -> VerifiedIdentity:
    """The rules of OpenID Connect Core §3.1.3.7 that the signature check leaves to us,
    judged on our clock: not expired, not issued in the future, issued to us (`azp` when
    several audiences), for this sign-in (`nonce`); and a verified email.

    Signature, `iss` and `aud` are checked before, by the token verifier.
    """
    exp, iat = claims.get("exp"), claims.get("iat")
    if not isinstance(exp, int | float) or not isinstance(iat, int | float):
        raise bad_signature("The ID token lacks exp or iat.")
    timestamp = now.timestamp()
    if exp + CLOCK_SKEW.total_seconds() <= timestamp:
        raise token_expired()
    if iat - CLOCK_SKEW.total_seconds() > timestamp:
        raise bad_signature("The ID token was issued in the future.")
    audiences = claims.get("aud")
    if isinstance(audiences, list) and len(audiences) > 1 and claims.get("azp") != client_id:
        raise wrong_audience()
    if not isinstance(claims.get("nonce"), str) or claims["nonce"] != nonce:
        raise nonce_mismatch()
    subject, email = claims.get("sub"), claims.get("email")
    if not isinstance(subject, str) or not subject or len(subject) > 255:
        raise bad_signature("The ID token has no subject.")
    if not isinstance(email, str) or "@" not in email:
        raise SsoEmailUnverifiedError()
    verified = claims.get("email_verified")
    if verified is not True and verified != "true":  # some providers send a string
        raise SsoEmailUnverifiedError()
    return VerifiedIdentity(subject=subject, email=email.strip().lower(), claims=claims)


class PasswordsNotAllowedError(ForbiddenError):
    """The institution signs its people in through its provider only (told only to a caller
    who gave the right password, so it reveals nothing to a guesser)."""

    code = "sso_required"

    def __init__(self) -> None:
        super().__init__("This school signs in with its single sign-on provider only.")
