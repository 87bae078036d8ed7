"""Use case: forget sign-in sessions that ended long ago, with their spent refresh tokens.

Every refresh rotates the token and keeps the spent one (reuse detection needs it while the
session can still be refreshed), so without pruning the tables only grow. A session is over once
it is revoked or its newest refresh token has expired; it is kept `retention` longer (for the
caller's own session list and for investigating a reuse alarm), then deleted. Deleting is safe:
an access token whose session row is gone is refused like a revoked one.
"""

from __future__ import annotations

from datetime import timedelta

from edtech.identity.infrastructure import SqlAlchemyAuthSessions
from edtech.kernel.clock import Clock
from edtech.platform.db.uow import UnitOfWork
from edtech.platform.observability.logging import get_logger

log = get_logger("edtech.identity")

BATCH = 1000


class PruneSessions:
    """Delete sessions that ended more than `retention` ago, in batches; returns how many."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow = uow
        self.clock = clock

    async def __call__(self, retention: timedelta) -> int:
        cutoff = self.clock.now() - retention
        total = 0
        while True:
            async with self.uow as uow:
                pruned = await SqlAlchemyAuthSessions(uow.session).prune(cutoff, BATCH)
                await uow.commit()
            total += pruned
            if pruned < BATCH:
                break
        if total:
            log.info("auth_sessions_pruned", count=total, ended_before=cutoff.isoformat())
        return total
