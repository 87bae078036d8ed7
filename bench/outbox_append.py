"""The outbox write, before and after `outbox.append`, side by side in one run.

    uv run python -m bench.outbox_append --transactions 400 --rounds 5 --channels 1

Each transaction opens a session, appends `--events` events spread over `--channels` channels
(`two`: `allocate` then `insert_rows`, two round trips; `one`: `outbox.append`, one statement
on PostgreSQL), and commits — the part of every published event's unit of work that the
outbox adds. The two ways alternate in blocks of `--transactions`, `--rounds` times, on one
throw-away database; per block: this process's CPU (`time.process_time`) and the PostgreSQL
backend's CPU (`/proc/<pid>/stat`, so run it on the database's machine) per transaction, and
the wall time. Reports the medians over the rounds.
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

from sqlalchemy import text
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


async def run(args: argparse.Namespace) -> dict[str, Any]:
    url = await common.create_database()
    engine = make_engine(url, pool_size=1)
    factory = make_session_factory(engine)
    channels = [f"bench.room.{uuid.uuid4()}" for _ in range(args.channels)]
    inst = uuid.UUID(int=1)
    results: dict[str, list[dict[str, float]]] = {"two": [], "one": []}
    try:
        async with factory() as s:
            pid = int((await s.execute(text("SELECT pg_backend_pid()"))).scalar_one())
            await s.commit()
        for rnd in range(args.rounds + 1):  # round 0 warms both up and is not counted
            for name, way in (("two", two), ("one", one)):
                cpu0, pg0, t0 = time.process_time(), backend_cpu(pid), time.perf_counter()
                for n in range(args.transactions):
                    now = datetime.now(UTC)
                    rows = [
                        outbox.NewRow(
                            channels[(n + k) % len(channels)],
                            "bench.ticked",
                            {"room_id": str(inst), "n": n},
                            inst,
                            now,
                        )
                        for k in range(args.events)
                    ]
                    async with factory() as session:
                        await way(session, rows, now)
                        await session.commit()
                cpu = time.process_time() - cpu0
                pg = backend_cpu(pid) - pg0
                wall = time.perf_counter() - t0
                if rnd:
                    results[name].append(
                        {
                            "client_ms": 1000 * cpu / args.transactions,
                            "pg_ms": 1000 * pg / args.transactions,
                            "wall_ms": 1000 * wall / args.transactions,
                        }
                    )
    finally:
        await engine.dispose()
        await common.drop_database(url)
    summary: dict[str, Any] = {"args": vars(args)}
    for name, blocks in results.items():
        summary[name] = {
            k: round(statistics.median(b[k] for b in blocks), 3)
            for k in ("client_ms", "pg_ms", "wall_ms")
        }
        summary[name]["client_ms_rounds"] = [round(b["client_ms"], 3) for b in blocks]
    return summary


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--transactions", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--events", type=int, default=1, help="events per transaction")
    parser.add_argument("--channels", type=int, default=1, help="channels they spread over")
    args = parser.parse_args()
    print(common.machine())
    print(json.dumps(asyncio.run(run(args)), indent=2))


if __name__ == "__main__":
    main()
