"""Use case: exchange a refresh token for a new token pair (rotation with reuse detection)."""

from __future__ import annotations

from edtech.identity.application.common import IssuedTokens, TokenIssuer
from edtech.identity.domain import RefreshTokenReusedError, RevokeReason, SignInsRevoked
from edtech.identity.infrastructure import SqlAlchemyAccounts, SqlAlchemyAuthSessions
from edtech.kernel.clock import Clock
from edtech.kernel.errors import AuthenticationError
from edtech.platform.db.uow import UnitOfWork
from edtech.platform.observability.logging import get_logger
from edtech.platform.security.keys import hash_secret

log = get_logger("edtech.identity")


class RotateRefreshToken:
    """Exchange a refresh token, once, for a new access token and a new refresh token.

    A refresh token is spent by its exchange. If a spent token is presented again, two parties
    hold the same token (one of them stole it), and we cannot tell which one is the owner: the
    whole session is revoked, so both the thief's and the owner's tokens stop working (and
    their open websockets close) and the owner signs in again (OAuth 2.0 Security BCP,
    RFC 9700 §4.14.2).
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, issuer: TokenIssuer) -> None:
        self.uow = uow
        self.clock = clock
        self.issuer = issuer

    async def __call__(self, refresh_token: str) -> IssuedTokens:
        now = self.clock.now()
        async with self.uow as uow:
            sessions = SqlAlchemyAuthSessions(uow.session)
            token = await sessions.token_by_hash(hash_secret(refresh_token))
            if token is None:
                raise AuthenticationError("Refresh token is no longer valid.", reason="unknown")
            family = await sessions.get(token.session_id)
            if family is None or family.is_revoked:
                raise AuthenticationError("Refresh token is no longer valid.", reason="revoked")
            account = await SqlAlchemyAccounts(uow.session).get(family.account_id)
            if account is None or not account.is_active:
                raise AuthenticationError("Refresh token is no longer valid.", reason="revoked")
            try:
                token.check_spendable(now)
                issued, successor = self.issuer.issue(account, family, now)
                if not await sessions.spend(token.id, now, successor.id):
                    raise RefreshTokenReusedError()  # a concurrent exchange spent it first
            except RefreshTokenReusedError:
                family.revoke(now, RevokeReason.REUSE_DETECTED)
                uow.emit(
                    SignInsRevoked(
                        institution_id=account.institution_id,
                        occurred_at=now,
                        person_id=account.person_id,
                        reason=RevokeReason.REUSE_DETECTED,
                    )
                )
                await uow.commit()
                log.warning(
                    "refresh_token_reuse_detected",
                    account_id=str(family.account_id),
                    session_id=str(family.id),
                )
                raise
            sessions.add_token(successor)
            await uow.commit()
        return issued
