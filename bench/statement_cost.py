"""What one statement costs the node: CPU per execution through asyncpg alone, through a
SQLAlchemy `AsyncSession` (how edtech sends most statements), and as a `DriverStatement` (the
hot ones, ADR-0023: asyncpg on the session's connection), on uvloop as `edtech serve` runs.

    uv run python -m bench.statement_cost [--runs 20000]

One connection, one small statement (an array of five ids and a constant, as the hot path's
`= ANY` reads bind), executed again and again after a warm-up, each path in turn; prints the
process CPU (user + system) and the wall time per execution. The difference between the first two
is SQLAlchemy's share of a statement; the rest is the driver and the round trip's system calls.
"""

from __future__ import annotations

import argparse
import time
import uuid
from collections.abc import Awaitable, Callable

import asyncpg  # type: ignore[import-untyped]
import sqlalchemy as sa
import uvloop
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from bench.common import POSTGRES
from edtech.platform.db.driver import DriverStatement


async def timed(runs: int, once: Callable[[], Awaitable[object]]) -> tuple[float, float]:
    """CPU and wall µs per call of `once`, after a warm-up."""
    for _ in range(200):
        await once()
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(runs):
        await once()
    return (
        1e6 * (time.process_time() - cpu) / runs,
        1e6 * (time.perf_counter() - wall) / runs,
    )


async def main(runs: int) -> None:
    ids = [uuid.uuid4() for _ in range(5)]
    conn = await asyncpg.connect(POSTGRES.replace("+asyncpg", ""))
    prepared = await conn.prepare("SELECT $1::uuid[] AS ids, 1 AS one")
    try:
        driver = await timed(runs, lambda: prepared.fetch(ids))
    finally:
        await conn.close()
    engine = create_async_engine(POSTGRES)
    statement = sa.select(
        sa.bindparam("ids", type_=postgresql.ARRAY(sa.Uuid())).label("ids"),
        sa.literal(1).label("one"),
    )
    hot = DriverStatement(statement)
    try:
        async with AsyncSession(engine) as session, session.begin():

            async def through_session() -> object:
                return (await session.execute(statement, {"ids": ids})).all()

            async def on_the_driver() -> object:
                return await hot.rows(session, {"ids": ids})

            orm = await timed(runs, through_session)
            direct = await timed(runs, on_the_driver)
    finally:
        await engine.dispose()
    print(f"{runs} executions each, one connection, uvloop")
    print("| path | CPU per statement | wall per statement |")
    print("|---|---|---|")
    print(f"| asyncpg prepared statement | {driver[0]:.0f} µs | {driver[1]:.0f} µs |")
    print(f"| SQLAlchemy AsyncSession.execute | {orm[0]:.0f} µs | {orm[1]:.0f} µs |")
    print(f"| DriverStatement.rows | {direct[0]:.0f} µs | {direct[1]:.0f} µs |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20000)
    uvloop.run(main(parser.parse_args().runs))
