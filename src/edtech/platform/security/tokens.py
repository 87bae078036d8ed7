"""Signed JWTs (HS256) for access tokens and other short-lived signed claims."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import jwt

from edtech.kernel.errors import AuthenticationError

ISSUER = "edtech"
ALGORITHM = "HS256"


class TokenSigner:
    """Issues and verifies tokens of one `typ` (access, qr, …) with the node's secret."""

    def __init__(self, secret: str) -> None:
        self._secret = secret

    def issue(
        self, typ: str, subject: str, now: datetime, ttl: timedelta, **claims: Any
    ) -> str:
        payload = {
            "iss": ISSUER,
            "typ": typ,
            "sub": subject,
            "iat": int(now.timestamp()),
            "exp": int((now + ttl).timestamp()),
            "jti": uuid.uuid4().hex,
            **claims,
        }
        return jwt.encode(payload, self._secret, algorithm=ALGORITHM)

    def verify(self, token: str, typ: str, now: datetime) -> dict[str, Any]:
        """Return the claims, or raise AuthenticationError for a forged, expired or wrong token."""
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                issuer=ISSUER,
                options={"require": ["exp", "iat", "sub", "typ"], "verify_exp": False},
            )
        except jwt.PyJWTError as exc:
            raise AuthenticationError("Invalid token.") from exc
        if claims.get("typ") != typ:
            raise AuthenticationError("Invalid token.")
        if int(claims["exp"]) <= int(now.timestamp()):
            raise AuthenticationError("Token expired.", reason="expired")
        return claims
