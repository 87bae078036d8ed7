"""Readiness's own line to the database, apart from the pool that serves requests."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa

from edtech.platform.db.engine import make_engine


class DatabaseProbe:
    """Answers "can this node reach its database now?" on a connection of its own.

    The request pool may be exhausted by a burst (a reconnect storm of 2,000 clients, each
    fetching state over REST): a readiness check queued behind it waits out its time budget and
    reports the database down while it is up, and the load balancer drops a healthy node. The
    probe holds one connection of its own (a pool of one), answers within `timeout` seconds,
    and lets concurrent probes wait for one answer instead of piling up. A failed probe drops its
    connection, so the next one reconnects (a restarted database is seen as soon as it is back).
    """

    def __init__(self, url: str, timeout: float = 1.5) -> None:
        self.engine = make_engine(url, pool_size=1)
        self.timeout = timeout
        self._lock = asyncio.Lock()

    async def check(self) -> str | None:
        """None when `SELECT 1` answers in time; raises otherwise (the reason is reported)."""
        async with self._lock:
            try:
                async with asyncio.timeout(self.timeout):
                    async with self.engine.connect() as conn:
                        await conn.execute(sa.text("SELECT 1"))
            except BaseException:
                await self.engine.dispose()
                raise
        return None

    async def stop(self) -> None:
        await self.engine.dispose()
