"""Node CPU per published event through `POST /bench/publish`, before and after a change.

    uv run python -m bench.publish_cpu --before ../edtech-before --requests 2000 --rounds 3

One `bench.node` (this checkout as `after`, `--before DIR` as `before`, alternating per round) on
a private Redis and a throw-away PostgreSQL database, pinned to core 0; this process posts from
core 1 over keep-alive connections: `--requests` events one at a time on one connection
(`serial`: nothing to batch, the cost of one publish alone), then the same number back-to-back
from `--concurrency` connections (`concurrent`). Per mode: the node's CPU (user + system, from
`/proc`) per event, PostgreSQL's backends' CPU per event, events/s and the client's p50/p99.
Nobody is subscribed: this is the write path alone (commit, then publish to Redis). Each node
is warmed up with `--warmup` publishes first (FastAPI builds its routes on the first request).
`--profile DIR` samples the node with py-spy in each mode (collapsed stacks; it costs the node
CPU: quote the numbers of a run without it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import common
from bench.compare import HttpConn, System, cpu_seconds, pg_backends, wait_ready


async def post_all(port: int, requests: int, concurrency: int) -> tuple[float, list[float]]:
    """Post `requests` events from `concurrency` connections; (seconds, latencies in ms)."""
    rooms = [uuid.uuid4() for _ in range(64)]
    counter = iter(range(requests))
    latencies: list[float] = []

    async def worker() -> None:
        conn = HttpConn(port)
        try:
            for i in counter:
                body = json.dumps(
                    {"channel": str(rooms[i % 64]), "n": i, "ts": datetime.now(UTC).isoformat()}
                ).encode()
                t0 = time.perf_counter()
                status = await conn.post("/bench/publish", body)
                latencies.append((time.perf_counter() - t0) * 1000)
                if not 200 <= status < 300:
                    raise RuntimeError(f"publish answered {status}")
        finally:
            conn.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started, latencies


def spy(pid: int, out: Path) -> subprocess.Popen[bytes]:
    """py-spy sampling `pid` into collapsed stacks (`--format raw`), from core 1."""
    out.parent.mkdir(parents=True, exist_ok=True)
    argv = [str(Path(sys.executable).parent / "py-spy"), "record", "--pid", str(pid)]
    argv += ["--rate", "250", "--nonblocking", "--format", "raw", "-o", str(out)]
    return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def measure(
    system: System, requests: int, concurrency: int, warmup: int, profile: str = ""
) -> list[dict[str, Any]]:
    port = common.free_port()
    proc = system.start(port, f"cpu-{system.name}")
    try:
        await wait_ready(port, proc)
        await post_all(port, warmup, concurrency)
        await asyncio.sleep(1)
        rows = []
        for mode, conc in (("serial", 1), ("concurrent", concurrency)):
            backends = await pg_backends(system.database)
            sampler = None
            if profile:
                sampler = spy(proc.pid, Path(profile) / f"{system.name}-{mode}.txt")
                await asyncio.sleep(1)
            node0, pg0 = cpu_seconds(proc.pid), sum(cpu_seconds(p) for p in backends)
            seconds, lat = await post_all(port, requests, conc)
            await asyncio.sleep(0.5)  # the publisher's marking after the last commit
            node = cpu_seconds(proc.pid) - node0
            pg = sum(cpu_seconds(p) for p in backends) - pg0
            if sampler is not None:
                sampler.send_signal(signal.SIGINT)
                sampler.wait(30)
            rows.append(
                {
                    "system": system.name,
                    "mode": mode,
                    "node_cpu_ms_per_event": round(node * 1000 / requests, 3),
                    "pg_cpu_ms_per_event": round(pg * 1000 / requests, 3),
                    "events_per_s": round(requests / seconds, 1),
                    "p50_ms": round(common.percentile(lat, 0.5), 2),
                    "p99_ms": round(common.percentile(lat, 0.99), 2),
                    "load": round(os.getloadavg()[0], 1),
                }
            )
        return rows
    finally:
        proc.terminate()
        proc.wait(30)


async def main_async(args: argparse.Namespace) -> None:
    cores = os.cpu_count() or 1
    server_core = 0 if cores >= 2 else None
    if cores >= 2:
        os.sched_setaffinity(0, {1})
    redis_proc, redis_url = common.start_redis(["taskset", "-c", "0"] if cores >= 2 else [])
    database = await common.create_database()
    systems = [System("edtech", "edtech", "/bench/publish", server_core, database, redis_url)]
    if args.before:
        before = System("edtech-before", "edtech", "/bench/publish", server_core, database)
        before.redis_url, before.tree = redis_url, Path(args.before)
        systems.insert(0, before)
    rows: list[dict[str, Any]] = []
    try:
        for round_ in range(args.rounds):
            for system in systems if round_ % 2 == 0 else list(reversed(systems)):
                measured = await measure(
                    system, args.requests, args.concurrency, args.warmup, args.profile
                )
                for row in measured:
                    row["round"] = round_
                    rows.append(row)
                    print(json.dumps(row), flush=True)
    finally:
        redis_proc.terminate()
        await common.drop_database(database)
    print("\n| system | mode | node CPU ms/event | PG CPU ms/event | events/s | p50 ms | p99 ms |")
    print("|---|---|---|---|---|---|---|")
    for system in systems:
        for mode in ("serial", "concurrent"):
            mine = [r for r in rows if r["system"] == system.name and r["mode"] == mode]
            med = {
                k: statistics.median(r[k] for r in mine)
                for k in (
                    "node_cpu_ms_per_event",
                    "pg_cpu_ms_per_event",
                    "events_per_s",
                    "p50_ms",
                    "p99_ms",
                )
            }
            print(
                f"| {system.name} | {mode} | {med['node_cpu_ms_per_event']:.3f} | "
                f"{med['pg_cpu_ms_per_event']:.3f} | {med['events_per_s']:.0f} | "
                f"{med['p50_ms']:.2f} | {med['p99_ms']:.2f} |"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", default="", help="a checkout of an earlier commit")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--profile", default="", help="folder: py-spy collapsed stacks per system and mode"
    )
    args = parser.parse_args()
    if args.before:
        args.before = str(Path(args.before).resolve())
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
