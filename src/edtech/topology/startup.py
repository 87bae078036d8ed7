"""Start-up: wait for PostgreSQL and Redis with capped exponential backoff instead of crashing."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable

import redis.asyncio as aioredis
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

Probe = Callable[[], Awaitable[None]]
Report = Callable[[str, int, float, str], None]
"""Called after each failed attempt with (dependency, attempt, next delay in seconds, error)."""


class DependencyUnavailableError(RuntimeError):
    """A dependency did not answer within the start-up timeout."""


async def probe_database(url: str) -> None:
    """`SELECT 1` on a fresh connection (SQLite needs no waiting: it is a file)."""
    engine = create_async_engine(url, pool_pre_ping=False)
    try:
        async with engine.connect() as conn:
            await conn.execute(sa.text("SELECT 1"))
    finally:
        await engine.dispose()


async def probe_broker(url: str) -> None:
    """PING the Redis broker."""
    client = aioredis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        await client.ping()
    finally:
        await client.aclose()


def dependency_probes(database_url: str, broker_url: str) -> dict[str, Probe]:
    """The probes a node needs before it starts: the database unless SQLite, Redis unless memory."""
    probes: dict[str, Probe] = {}
    if not database_url.startswith("sqlite"):
        probes["database"] = lambda: probe_database(database_url)
    if broker_url.startswith(("redis://", "rediss://")):
        probes["broker"] = lambda: probe_broker(broker_url)
    return probes


async def wait_until_available(
    name: str,
    probe: Probe,
    *,
    wait_seconds: float,
    initial_delay: float = 0.2,
    max_delay: float = 5.0,
    attempt_timeout: float = 5.0,
    report: Report | None = None,
) -> int:
    """Retry `probe` with capped exponential backoff (with jitter) until it succeeds.

    Returns the number of attempts; raises DependencyUnavailableError after `wait_seconds`.
    """
    deadline = time.monotonic() + wait_seconds
    delay = initial_delay
    attempt = 0
    while True:
        attempt += 1
        try:
            async with asyncio.timeout(attempt_timeout):
                await probe()
            return attempt
        except Exception as exc:  # whatever the driver raises, the dependency is not there yet
            error = f"{type(exc).__name__}: {exc}"[:300]
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise DependencyUnavailableError(
                    f"{name} unavailable after {wait_seconds:.0f}s ({attempt} attempts): {error}"
                ) from exc
            pause = min(delay * random.uniform(0.8, 1.2), max_delay, remaining)  # noqa: S311
            if report is not None:
                report(name, attempt, pause, error)
            await asyncio.sleep(pause)
            delay = min(delay * 2, max_delay)


async def wait_for_dependencies(
    database_url: str,
    broker_url: str,
    *,
    wait_seconds: float = 60.0,
    report: Report | None = None,
) -> None:
    """Wait (concurrently) for the database and the broker a node is configured with."""
    probes = dependency_probes(database_url, broker_url)
    await asyncio.gather(
        *(
            wait_until_available(name, probe, wait_seconds=wait_seconds, report=report)
            for name, probe in probes.items()
        )
    )
