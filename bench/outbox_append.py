"""The outbox write, before and after `outbox.append`, side by side in one run.

    uv run python -m bench.outbox_append --transactions 400 --rounds 5 --channels 1

Each transaction opens a session, appends `--events` events spread over `--channels` channels
(`two`: `allocate` then `insert_rows`, two round trips; `one`: `outbox.append`, one statement
on PostgreSQL), and commits — the part of every published event's unit of work that the
outbox adds. The two ways alternate in blocks of `--transactions`, `--rounds` times, on one
throw-away database; per block: this process's CPU (`time.process_time`) and the PostgreSQL
backends' CPU (`/proc/<pid>/stat`, so run it on the database's machine) per transaction, and
the wall time. Reports the medians over the rounds.

`--concurrency K` runs K workers at once, each on its own `--channels` channels, on a pool of
`--pool` (default K) plus as many overflow connections; PostgreSQL's CPU is then every backend
of the database, sampled every 10 ms (`new_backends`: backends opened during a block — pool
overflow churn, which makes PostgreSQL plan the statements anew in cold backends):

    uv run python -m bench.outbox_append --transactions 320 --rounds 2 --concurrency 16 --pool 8
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy.ext.asyncio import AsyncSession

from bench import common
from edtech.platform.db.engine import make_engine, make_session_factory
from edtech.realtime import outbox

TICK = 100


def backend_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / TICK


async def two(session: AsyncSession, rows: list[outbox.NewRow], now: datetime) -> None:
    """As `OutboxSink.stage` did before `append`: allocate, then insert."""
    by: dict[str, list[outbox.NewRow]] = {}
    for r in rows:
        by.setdefault(r.channel, []).append(r)
    reserved = await outbox.allocate(session, {c: len(v) for c, v in by.items()}, now)
    values: list[dict[str, Any]] = []
    for c in sorted(by):
        first = reserved[c].offset - len(by[c]) + 1
        for offset, r in enumerate(by[c], start=first):
            values.append(
                {
                    "channel": c,
                    "offset": offset,
                    "type": r.type,
                    "data": dict(r.data),
                    "institution_id": r.institution_id,
                    "occurred_at": r.occurred_at,
                    "created_at": now,
                    "published_at": None,
                }
            )
    await outbox.insert_rows(session, values)


async def one(session: AsyncSession, rows: list[outbox.NewRow], now: datetime) -> None:
    await outbox.append(session, rows, now)


class Backends:
    """CPU of every PostgreSQL backend serving the database, sampled every 10 ms (a backend that
    closes between samples keeps its last reading; its first milliseconds before the first
    sample are missed, alike for both ways)."""

    def __init__(self, url: str) -> None:
        self.url = url.replace("postgresql+asyncpg://", "postgresql://")
        self.seen: dict[int, tuple[float, float]] = {}
        self.pids: set[int] = set()

    async def sample_forever(self) -> None:
        conn = await asyncpg.connect(self.url)
        me = conn.get_server_pid()
        try:
            while True:
                rows = await conn.fetch(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                )
                for (pid,) in rows:
                    if pid == me:
                        continue
                    try:
                        cpu = backend_cpu(pid)
                    except (FileNotFoundError, ProcessLookupError):
                        continue
                    first = self.seen.get(pid, (cpu, cpu))[0]
                    self.seen[pid] = (first, cpu)
                    self.pids.add(pid)
                await asyncio.sleep(0.01)
        finally:
            await conn.close()

    def total(self) -> float:
        return sum(last for _first, last in self.seen.values())


async def run(args: argparse.Namespace) -> dict[str, Any]:
    url = await common.create_database()
    pool = args.pool or args.concurrency
    engine = make_engine(url, pool_size=pool)
    factory = make_session_factory(engine)
    k = args.concurrency
    channels = [f"bench.room.{uuid.uuid4()}" for _ in range(args.channels * k)]
    inst = uuid.UUID(int=1)
    results: dict[str, list[dict[str, float]]] = {"two": [], "one": []}
    backends = Backends(url)
    sampler = asyncio.create_task(backends.sample_forever())
    try:
        await asyncio.sleep(0.2)

        async def worker(w: int, way: Any, count: int) -> None:
            mine = channels[w * args.channels : (w + 1) * args.channels]
            for n in range(count):
                now = datetime.now(UTC)
                rows = [
                    outbox.NewRow(
                        mine[(n + j) % len(mine)],
                        "bench.ticked",
                        {"room_id": str(inst), "n": n},
                        inst,
                        now,
                    )
                    for j in range(args.events)
                ]
                async with factory() as session:
                    await way(session, rows, now)
                    await session.commit()

        for rnd in range(args.rounds + 1):  # round 0 warms both up and is not counted
            for name, way in (("two", two), ("one", one)):
                await asyncio.sleep(0.05)
                pids0 = len(backends.pids)
                cpu0, pg0, t0 = time.process_time(), backends.total(), time.perf_counter()
                per = args.transactions // k
                await asyncio.gather(*(worker(w, way, per) for w in range(k)))
                await asyncio.sleep(0.05)
                total = per * k
                cpu = time.process_time() - cpu0
                pg = backends.total() - pg0
                wall = time.perf_counter() - t0
                if rnd:
                    results[name].append(
                        {
                            "client_ms": 1000 * cpu / total,
                            "pg_ms": 1000 * pg / total,
                            "wall_ms": 1000 * wall / total,
                            "new_backends": len(backends.pids) - pids0,
                        }
                    )
    finally:
        sampler.cancel()
        await asyncio.gather(sampler, return_exceptions=True)
        await engine.dispose()
        await common.drop_database(url)
    summary: dict[str, Any] = {"args": vars(args)}
    for name, blocks in results.items():
        summary[name] = {
            key: round(statistics.median(b[key] for b in blocks), 3)
            for key in ("client_ms", "pg_ms", "wall_ms", "new_backends")
        }
        summary[name]["pg_ms_rounds"] = [round(b["pg_ms"], 3) for b in blocks]
    return summary


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--transactions", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--events", type=int, default=1, help="events per transaction")
    parser.add_argument(
        "--channels", type=int, default=1, help="channels each worker's events spread over"
    )
    parser.add_argument(
        "--concurrency", type=int, default=1, help="transactions in flight at once (workers)"
    )
    parser.add_argument(
        "--pool", type=int, default=0, help="pool size (0: --concurrency); overflow as many"
    )
    args = parser.parse_args()
    print(common.machine())
    print(json.dumps(asyncio.run(run(args)), indent=2))


if __name__ == "__main__":
    main()
