"""Signed JWTs (HS256) for access tokens and other short-lived signed claims."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timedelta
from typing import Any

import jwt

from edtech.kernel.errors import AuthenticationError

ISSUER = "edtech"
ALGORITHM = "HS256"
VERIFIED_KEPT = 4096
"""Tokens whose signature a node remembers having verified (every request checks its bearer
token; decoding and the HMAC were ~4 % of a chat message's node CPU). Bounded: ~1 KiB each."""


def signing_key(secret: str) -> bytes:
    """A 256-bit HMAC key from the configured secret, whatever its length.

    RFC 7518 §3.2 wants HS256 keys of at least 256 bits; hashing the secret gives exactly
    that (the secret's own entropy still bounds the strength, so settings ask for a long one).
    """
    return hashlib.sha256(b"edtech-jwt\x00" + secret.encode()).digest()


class TokenSigner:
    """Issues and verifies tokens of one `typ` (access, qr, …) with the node's secret.

    Times are checked against the caller's `now` (the application clock), not the wall clock,
    so a token's lifetime means the same thing in production, replays and tests.
    """

    def __init__(self, secret: str) -> None:
        self._key = signing_key(secret)
        self._verified: dict[str, dict[str, Any]] = {}

    def issue(self, typ: str, subject: str, now: datetime, ttl: timedelta, **claims: Any) -> str:
        payload = {
            "iss": ISSUER,
            "typ": typ,
            "sub": subject,
            "iat": int(now.timestamp()),
            "exp": int((now + ttl).timestamp()),
            "jti": uuid.uuid4().hex,
            **claims,
        }
        return jwt.encode(payload, self._key, algorithm=ALGORITHM)

    def verify(self, token: str, typ: str, now: datetime) -> dict[str, Any]:
        """Return the claims, or raise AuthenticationError for a forged, expired or wrong token.

        The signature of a token that verified is not checked again while it stays among the
        last `VERIFIED_KEPT` verified (a string signed with this key stays signed with it); its
        type and times are checked on every call."""
        remembered = self._verified.get(token)
        claims = self._decoded(token) if remembered is None else remembered
        if claims.get("typ") != typ:
            raise AuthenticationError("Invalid token.", reason="invalid")
        try:
            expires, issued = int(claims["exp"]), int(claims["iat"])
        except (TypeError, ValueError) as exc:
            raise AuthenticationError("Invalid token.", reason="invalid") from exc
        if expires <= int(now.timestamp()):
            raise AuthenticationError("Token expired.", reason="expired")
        if issued > int(now.timestamp()) + 60:  # from the future: another node's clock is off
            raise AuthenticationError("Invalid token.", reason="invalid")
        if remembered is None:  # only a token that passed every check is remembered
            if len(self._verified) >= VERIFIED_KEPT:
                del self._verified[next(iter(self._verified))]  # the oldest
            self._verified[token] = claims
        return dict(claims)

    def _decoded(self, token: str) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self._key,
                algorithms=[ALGORITHM],
                issuer=ISSUER,
                options={
                    "require": ["exp", "iat", "sub", "typ"],
                    "verify_exp": False,  # checked by `verify` against the application clock
                    "verify_iat": False,
                    "verify_nbf": False,
                },
            )
        except jwt.PyJWTError as exc:
            raise AuthenticationError("Invalid token.", reason="invalid") from exc
        return claims
