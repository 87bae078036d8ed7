"""Issuing a token pair: a short-lived signed access token and an opaque rotating refresh token."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from edtech.identity.domain import Account, AuthSession, RefreshToken
from edtech.platform.security.keys import hash_secret, new_secret
from edtech.platform.security.tokens import TokenSigner

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
