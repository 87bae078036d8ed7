# ruff: noqa: E501 - result table rows read best on one line
"""Benchmark: scan ingestion (single and batched, scans/s) and scan → board latency (p50/p99).

    uv run python -m bench.attendance.bench_scans [--rate 200] [--seconds 8] [--nodes 2]
        [--caddy] [--profile FILE]   (EDTECH_BENCH_PYSPY=FILE: py-spy samples of node A in the
        latency run)

Creates a throw-away PostgreSQL database, seeds the FULL demo school (320 students, 16
sections) with sessions for the last seven days, starts one node (PostgreSQL + Redis broker)
in its own process — or two with `--nodes 2`: scans go to node A, the teacher's board socket
is on node B — and measures over real HTTP and websockets. With `--caddy` every request and
the board's socket go through a local Caddy in front of the node(s) (the local topology's
Caddyfile: the production proxy settings, access logs included), which spreads the scans and
places the socket round robin, as a deployment does. Prints a result block and appends it to
`bench/results/attendance.md`; copy it into `docs/benchmarks.md`.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg  # type: ignore[import-untyped]
import httpx
import sqlalchemy as sa
from websockets.asyncio.client import connect

from bench.attendance.scanners import Fleet
from edtech.attendance.application.plan_sessions import PlanSessions
from edtech.attendance.infrastructure.roster import InstitutionsRoster
from edtech.attendance.public import seed_demo as seed_attendance
from edtech.demo import FULL, seed_demo
from edtech.kernel.clock import SystemClock
from edtech.platform.db.engine import make_engine, make_session_factory
from edtech.platform.db.migrations import upgrade
from edtech.platform.db.uow import UnitOfWork
from edtech.topology.caddyfile import render_local_caddyfile

ROOT = Path(__file__).resolve().parents[2]
POSTGRES = os.environ.get(
    "EDTECH_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
REDIS = os.environ.get("EDTECH_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
SECRET = "bench-secret-key-not-for-production"
SCANS = "/api/v1/attendance/scans"
SCANNERS = 32
"""Door scanners in the latency run: each a keep-alive connection, one request at a time."""


def p99(values: list[float]) -> float:
    """The 99th percentile as every table of this benchmark has reported it."""
    ordered = sorted(values)
    return ordered[max(0, int(0.99 * len(ordered)) - 1)]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def admin(sql: str) -> None:
    conn = await asyncpg.connect(POSTGRES.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def prepare(url: str) -> list[tuple[str, str, datetime, datetime]]:
    """Seed; return (card, session_id, starts_at, opens_at) for every mark of the last 7 days."""
    await upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    clock = SystemClock()
    summary = await seed_demo(factory, FULL)
    await seed_attendance(factory, summary, clock=clock)
    today = clock.now().date()
    await PlanSessions(UnitOfWork(factory), clock, InstitutionsRoster.on_clock(clock))(
        None, summary.institution_id, today - timedelta(days=6), today - timedelta(days=1)
    )
    card_of = {
        pid: f"CARD-{email[len('student') :].split('@')[0]}"
        for email, pid in summary.people.items()
        if email.startswith("student")
    }
    async with factory() as s:
        rows = (
            await s.execute(
                sa.text(
                    "select m.student_id, s.id, s.starts_at, s.opens_at from attendance_mark m "
                    "join attendance_session s on s.id = m.session_id where s.starts_at < :now"
                ),
                {"now": clock.now() - timedelta(minutes=5)},
            )
        ).all()
    await engine.dispose()
    out = []
    for student_id, session_id, starts_at, opens_at in rows:
        sid = uuid.UUID(str(student_id))
        if sid in card_of:
            starts = starts_at if starts_at.tzinfo else starts_at.replace(tzinfo=UTC)
            opens = opens_at if opens_at.tzinfo else opens_at.replace(tzinfo=UTC)
            out.append((card_of[sid], str(session_id), starts, opens))
    random.Random(7).shuffle(out)
    return out


def item(n: int, card: str, at: datetime) -> dict[str, str]:
    return {"id": f"bench-{n}", "credential": card, "scanned_at": at.isoformat()}


async def batched(client: httpx.AsyncClient, marks: list[Any], start: int) -> dict[str, float]:
    body = [item(start + i, c, s + timedelta(minutes=2)) for i, (c, _, s, _) in enumerate(marks)]
    batches = [body[i : i + 1000] for i in range(0, len(body), 1000)]
    t0 = time.perf_counter()
    counts: dict[str, int] = {}
    for b in batches:
        r = await client.post(
            "/api/v1/attendance/scans",
            json={"scans": b},
            headers={"X-Device-Key": "demo-scanner-key"},
        )
        r.raise_for_status()
        for k, v in r.json()["counts"].items():
            counts[k] = counts.get(k, 0) + v
    fresh = time.perf_counter() - t0
    t0 = time.perf_counter()
    for b in batches:  # the same batches again: every item is a duplicate
        r = await client.post(
            "/api/v1/attendance/scans",
            json={"scans": b},
            headers={"X-Device-Key": "demo-scanner-key"},
        )
        r.raise_for_status()
    replay = time.perf_counter() - t0
    return {
        "scans": len(body),
        "recorded": counts.get("recorded", 0),
        "fresh_per_s": len(body) / fresh,
        "replay_per_s": len(body) / replay,
    }


async def singles(client: httpx.AsyncClient, marks: list[Any], start: int) -> dict[str, float]:
    t0 = time.perf_counter()
    lat = []
    for i, (card, _, s, _) in enumerate(marks):
        t = time.perf_counter()
        r = await client.post(
            "/api/v1/attendance/scans",
            json={"scans": [item(start + i, card, s + timedelta(minutes=7))]},
            headers={"X-Device-Key": "demo-scanner-key"},
        )
        r.raise_for_status()
        lat.append(time.perf_counter() - t)
    total = time.perf_counter() - t0
    return {
        "scans": len(marks),
        "per_s": len(marks) / total,
        "p50_ms": 1000 * statistics.median(lat),
        "p99_ms": 1000 * p99(lat),
    }


async def latency(
    base: str, ws_base: str, client: httpx.AsyncClient, marks: list[Any], start: int, rate: float
) -> dict[str, float]:
    r = await client.post(
        "/api/v1/auth/token", data={"username": "officer@demo.test", "password": "edtech-demo"}
    )
    token = r.json()["access_token"]
    sessions = sorted({m[1] for m in marks})
    sent: dict[tuple[str, str], float] = {}
    got: dict[tuple[str, str], float] = {}
    errors: list[int] = []
    answered: list[float] = []
    parts = urlsplit(base)
    fleet = Fleet(parts.hostname or "", parts.port or 80, SCANS, "demo-scanner-key", SCANNERS)
    async with fleet, connect(f"{ws_base}/ws?token={token}", max_size=2**24) as ws:
        for n, sid in enumerate(sessions):
            await ws.send(
                json.dumps(
                    {"op": "subscribe", "ref": str(n), "channel": f"attendance.session.{sid}"}
                )
            )
            await asyncio.sleep(0.06)  # stay under the socket's frame rate limit
        replies = 0
        while replies < len(sessions):
            if json.loads(await ws.recv()).get("op") == "reply":
                replies += 1

        async def receive() -> None:
            async for raw in ws:
                f = json.loads(raw)
                if f.get("op") == "event" and f["type"] == "attendance.scan_recorded":
                    got[(f["data"]["session_id"], f["data"]["mark"]["student_id"])] = (
                        time.perf_counter()
                    )

        reader = asyncio.create_task(receive())
        interval = 1 / rate
        t_start = time.perf_counter()
        pending = []
        for i, (card, sid, s, _) in enumerate(marks):
            target = t_start + i * interval
            await asyncio.sleep(max(0, target - time.perf_counter()))

            async def post(i: int = i, card: str = card, sid: str = sid, s: datetime = s) -> None:
                t = time.perf_counter()
                try:
                    status, answer = await fleet.post(
                        {"scans": [item(start + i, card, s + timedelta(minutes=1))]}
                    )
                    if status != 200:
                        raise ValueError(status)
                    res = answer["results"][0]
                except (OSError, ValueError, KeyError, asyncio.IncompleteReadError):
                    errors.append(i)
                    return
                answered.append(time.perf_counter() - t)
                if res["result"] == "recorded":
                    sent[(sid, res["student_id"])] = t

            pending.append(asyncio.create_task(post()))
        await asyncio.gather(*pending)
        achieved = len(marks) / (time.perf_counter() - t_start)
        deadline = time.perf_counter() + 10
        while len(got.keys() & sent.keys()) < len(sent) and time.perf_counter() < deadline:  # noqa: ASYNC110 - bounded wait for stragglers
            await asyncio.sleep(0.05)
        reader.cancel()
    lat = sorted(1000 * (got[k] - sent[k]) for k in sent if k in got)
    received = len(lat)
    lat = lat or [float("nan")]
    return {
        "sent": len(sent),
        "received": received,
        "errors": len(errors),
        "rate": achieved,
        "p50_ms": statistics.median(lat),
        "p99_ms": p99(lat),
        "post_p50_ms": 1000 * statistics.median(answered),
        "post_p99_ms": 1000 * p99(answered),
    }


async def wait_ready(client: httpx.AsyncClient, base: str) -> None:
    for _ in range(1200):  # imports alone take seconds on a busy machine
        try:
            if (await client.get(f"{base}/healthz")).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        await asyncio.sleep(0.1)


def start_caddy(directory: Path, ports: list[int]) -> tuple[subprocess.Popen[bytes], int]:
    """Caddy on a free loopback port in front of the nodes on `ports`: (its process, port)."""
    port = free_port()
    caddyfile = directory / "Caddyfile"
    caddyfile.write_text(
        render_local_caddyfile(
            host="127.0.0.1", port=port, upstreams=[f"127.0.0.1:{p}" for p in ports]
        )
    )
    env = os.environ | {"XDG_CONFIG_HOME": str(directory), "XDG_DATA_HOME": str(directory)}
    process = subprocess.Popen(
        ["caddy", "run", "--config", str(caddyfile), "--adapter", "caddyfile"],
        env=env,
        stdout=subprocess.DEVNULL,  # its access log: written, as in production, and not read
        stderr=subprocess.DEVNULL,
    )
    return process, port


async def run(
    rate: float, seconds: float, nodes: int = 1, profile: str | None = None, caddy: bool = False
) -> str:
    if caddy and shutil.which("caddy") is None:
        raise SystemExit("--caddy needs Caddy on PATH (Debian: apt-get install caddy)")
    name = f"edtech_bench_{uuid.uuid4().hex[:8]}"
    await admin(f'CREATE DATABASE "{name}"')
    url = POSTGRES.rpartition("/")[0] + "/" + name
    servers: list[subprocess.Popen[bytes]] = []
    proxy: subprocess.Popen[bytes] | None = None
    scratch = tempfile.TemporaryDirectory(prefix="edtech-bench-caddy-")
    try:
        marks = await prepare(url)
        gc.collect()
        gc.freeze()  # the load generator's own full collections would delay what it measures
        ports = [free_port() for _ in range(nodes)]
        env = os.environ | {
            "EDTECH_DATABASE_URL": url,
            "EDTECH_BROKER_URL": REDIS,
            "EDTECH_SECRET_KEY": SECRET,
            "EDTECH_LOG_JSON": "1",
        }
        if profile:
            env["EDTECH_BENCH_PROFILE"] = profile
        for port in ports:
            servers.append(
                subprocess.Popen(  # noqa: ASYNC220 - starting a process does not block
                    [sys.executable, "-m", "bench.attendance.server", str(port)], env=env, cwd=ROOT
                )
            )
        # Scans go to the first node; the board's socket is on the last (node B with two).
        base, ws_base = f"http://127.0.0.1:{ports[0]}", f"ws://127.0.0.1:{ports[-1]}"
        if caddy:  # or both through Caddy, wherever it sends them
            proxy, proxy_port = start_caddy(Path(scratch.name), ports)
            base, ws_base = f"http://127.0.0.1:{proxy_port}", f"ws://127.0.0.1:{proxy_port}"
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:
            for port in ports:
                await wait_ready(client, f"http://127.0.0.1:{port}")
            if caddy:
                await wait_ready(client, base)
            n_lat = int(rate * seconds)
            # The socket allows ~20 frames/s (burst 60): watch the 40 latest boards only.
            starts = {sid: at for _, sid, at, _ in marks}
            boards = set(sorted(starts, key=starts.__getitem__)[-40:])
            lat_marks = [m for m in marks if m[1] in boards][:n_lat]
            rest = [m for m in marks if m[1] not in boards]
            single_marks, batch_marks = rest[:300], rest[300:2300]
            b = await batched(client, batch_marks, 100_000)
            s = await singles(client, single_marks, 200_000)
            spy = None
            if os.environ.get("EDTECH_BENCH_PYSPY"):  # sample node A during the latency run
                spy = subprocess.Popen(  # noqa: ASYNC220 - starting a process does not block
                    ["py-spy", "record", "--pid", str(servers[0].pid), "--format", "raw",
                     "--rate", "250", "--nonblocking", "-o", os.environ["EDTECH_BENCH_PYSPY"]]
                )  # fmt: skip
                await asyncio.sleep(1)
            pids = [p.pid for p in servers] + [os.getpid()]  # the nodes, then this process
            cpu_before = [cpu_seconds(pid) for pid in pids]
            lat = await latency(base, ws_base, client, lat_marks, 300_000, rate)
            cpu_ms = [
                1000 * (cpu_seconds(pid) - before) / max(1, lat["sent"])
                for pid, before in zip(pids, cpu_before, strict=True)
            ]
            if spy is not None:
                spy.send_signal(signal.SIGINT)
                spy.wait(30)
    finally:
        processes = [*servers, *([proxy] if proxy else [])]
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(15)
        scratch.cleanup()
        await admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    where = (
        "One node (uvicorn, own process)"
        if nodes == 1
        else f"{nodes} nodes (uvicorn, own processes)"
    )
    who = "the node" if nodes == 1 else "node A + node B"
    if caddy:
        where += f" behind Caddy {caddy_version()}: scans and the board's socket through it, spread round robin"
    elif nodes > 1:
        where += ": scans posted to node A, the board's socket on node B"
        who = "node A (scans) + node B (board)"
    return "\n".join(
        [
            f"### Attendance scans — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
            "",
            f"{where}; PostgreSQL + Redis broker; {os.cpu_count()} CPUs, "
            f"Python {platform.python_version()}; load average {os.getloadavg()[0]:.1f} at the end; FULL demo (320 students), sessions of 7 days.",
            "",
            "| Measure | Result |",
            "|---|---|",
            f"| Batched ingestion (1,000/request, fresh) | {b['fresh_per_s']:.0f} scans/s ({b['recorded']}/{b['scans']:.0f} recorded) |",
            f"| Batched replay (all duplicates) | {b['replay_per_s']:.0f} scans/s |",
            f"| Single-scan requests, sequential | {s['per_s']:.0f} scans/s, p50 {s['p50_ms']:.1f} ms, p99 {s['p99_ms']:.1f} ms |",
            f"| Scan → board socket at {lat['rate']:.0f} scans/s | p50 {lat['p50_ms']:.1f} ms, p99 {lat['p99_ms']:.1f} ms ({lat['received']}/{lat['sent']} received, {lat['errors']} failed requests) |",
            f"| … of which POST → response | p50 {lat['post_p50_ms']:.1f} ms, p99 {lat['post_p99_ms']:.1f} ms |",
            f"| Node CPU per scan in that run | {' + '.join(f'{ms:.2f} ms' for ms in cpu_ms)} ({who} + this load generator) |",
            "",
        ]
    )


def caddy_version() -> str:
    out = subprocess.run(["caddy", "version"], capture_output=True, text=True, check=False)
    return out.stdout.split()[0] if out.stdout else "(version unknown)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--nodes", type=int, choices=(1, 2), default=1)
    parser.add_argument(
        "--caddy", action="store_true", help="every request and the socket through a local Caddy"
    )
    parser.add_argument("--profile", metavar="FILE", help="run the node under cProfile, to FILE")
    args = parser.parse_args()
    profile = str(Path(args.profile).resolve()) if args.profile else None
    block = asyncio.run(run(args.rate, args.seconds, args.nodes, profile, args.caddy))
    print(block)
    out = ROOT / "bench" / "results" / "attendance.md"
    out.parent.mkdir(exist_ok=True)
    if not out.exists():
        out.write_text(
            "# Attendance benchmarks\n\nAppended by `bench/attendance/bench_scans.py`.\n\n"
        )
    with out.open("a") as f:
        f.write(block + "\n")


if __name__ == "__main__":
    main()
