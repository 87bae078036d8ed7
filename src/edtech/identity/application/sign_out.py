"""Use case: end the caller's sign-in session, or all of them."""

from __future__ import annotations

import uuid

from edtech.identity.domain import RevokeReason, SignInsRevoked
from edtech.identity.infrastructure import SqlAlchemyAuthSessions
from edtech.kernel.clock import Clock
from edtech.kernel.errors import NotFoundError
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork
from edtech.platform.observability.logging import get_logger

log = get_logger("edtech.identity")


class SignOut:
    """Revoke the caller's session (or, with `everywhere`, every session of their login).

    A revoked session's refresh tokens no longer rotate and its access tokens are refused at
    once, not only when they expire; websockets opened with them close (4001) on every node.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow = uow
        self.clock = clock

    async def __call__(self, principal: Principal, *, everywhere: bool = False) -> None:
        await self.revoke(principal, principal.session_id, everywhere=everywhere)

    async def revoke(
        self, principal: Principal, session_id: uuid.UUID | None, *, everywhere: bool = False
    ) -> None:
        """Revoke one of the caller's own sessions (404 for anyone else's)."""
        now = self.clock.now()
        async with self.uow as uow:
            sessions = SqlAlchemyAuthSessions(uow.session)
            if everywhere:
                await sessions.revoke_all(principal.account_id, now, RevokeReason.LOGOUT_ALL)
            else:
                family = await sessions.get(session_id) if session_id is not None else None
                if family is None or family.account_id != principal.account_id:
                    raise NotFoundError("Session not found.")
                family.revoke(now, RevokeReason.LOGOUT)
            # Sockets opened with the revoked session's tokens close on every node.
            uow.emit(
                SignInsRevoked(
                    institution_id=principal.institution_id,
                    occurred_at=now,
                    person_id=principal.person_id,
                    reason=RevokeReason.LOGOUT_ALL if everywhere else RevokeReason.LOGOUT,
                )
            )
            await uow.commit()
        log.info(
            "signed_out",
            account_id=str(principal.account_id),
            session_id=str(session_id),
            everywhere=everywhere,
        )
