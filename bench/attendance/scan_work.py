"""Work per scan, counted instead of timed: instructions (callgrind), SQL statements, Python calls.

    uv run python -m bench.attendance.scan_work [--scans 200] [--warmup 40] [--callgrind]
        [--profile FILE] [--label NAME]

Wall-clock CPU per scan needs a quiet machine; the number of instructions a node executes for
a scan does not depend on what else the machine runs. This benchmark seeds the FULL demo
school in a throw-away PostgreSQL database (as `bench_scans` does), starts one node
(`bench.attendance.scan_node`, PostgreSQL + Redis broker) — with `--callgrind` under
`valgrind --tool=callgrind --instr-atstart=no` — opens the teacher's board socket subscribed to
the 40 latest sessions, as the latency run of `bench_scans` does, posts `--warmup` scans and
then `--scans` more, one request in flight at a time (each its own transaction, so the count
is the same run after run). Around the measured scans only, the node counts:

* instructions (`callgrind_control -i on` … dump, read its `totals`), with `--callgrind`;
* SQL statements sent to the database (a `before_cursor_execute` counter);
* Python function calls (cProfile, with `--profile FILE`: its statistics are written to FILE;
  not together with `--callgrind`, whose count it would inflate).

Every scan is a fresh arrival on the board (recorded, tardy or present), so each one is
resolved, decided, written, committed, published through Redis and delivered to the socket.
Run it from each worktree to compare versions (the node runs the code of the worktree it is
started from).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import connect

from bench.attendance.bench_scans import (
    POSTGRES,
    REDIS,
    SCANS,
    SECRET,
    admin,
    free_port,
    item,
    prepare,
)
from bench.attendance.scanners import Fleet

ROOT = Path(__file__).resolve().parents[2]


def _counts(path: Path) -> list[int]:
    return [int(x) for x in path.read_text().split()] if path.exists() else []


async def _snapshot(pid: int, path: Path) -> int:
    """The node's statement count now (it appends it to `path` on SIGUSR1)."""
    before = len(_counts(path))
    os.kill(pid, signal.SIGUSR1)
    for _ in range(6000):
        counts = _counts(path)
        if len(counts) > before:
            return counts[-1]
        await asyncio.sleep(0.05)
    raise TimeoutError("the node did not answer SIGUSR1")


def _dumped(work: Path) -> int:
    """The instruction total of callgrind's latest dump in `work`."""
    latest = max(work.glob("callgrind.out.*"), key=lambda p: int(p.name.rsplit(".", 1)[1]))
    for line in latest.read_text().splitlines():
        if line.startswith(("totals:", "summary:")):
            return int(line.split()[1])
    raise ValueError(f"no totals in {latest}")


def _callgrind(*args: str) -> str:
    return subprocess.run(
        ["callgrind_control", *args], check=True, capture_output=True, text=True
    ).stdout


async def run(
    scans: int, warmup: int, use_callgrind: bool, profile: str | None, idle: float = 20.0
) -> dict[str, Any]:
    name = f"edtech_bench_{uuid.uuid4().hex[:8]}"
    await admin(f'CREATE DATABASE "{name}"')
    url = POSTGRES.rpartition("/")[0] + "/" + name
    print(f"database {name}", file=sys.stderr)
    work = Path(tempfile.mkdtemp(prefix="scan_work_"))
    statements = work / "statements"
    node: subprocess.Popen[bytes] | None = None
    try:
        marks = await prepare(url)
        port = free_port()
        env = os.environ | {
            "EDTECH_DATABASE_URL": url,
            "EDTECH_BROKER_URL": REDIS,
            "EDTECH_SECRET_KEY": SECRET,
            "EDTECH_LOG_JSON": "1",
            "EDTECH_BACKGROUND_JOBS": "false",
            "SCAN_WORK_STATEMENTS": str(statements),
        }
        if profile:
            env["SCAN_WORK_PROFILE"] = profile
        command = [sys.executable, "-m", "bench.attendance.scan_node", str(port)]
        if use_callgrind:
            out_file = work / "callgrind.out"
            command = [
                "valgrind", "--tool=callgrind", "--instr-atstart=no",
                f"--callgrind-out-file={out_file}", *command,
            ]  # fmt: skip
        node = subprocess.Popen(command, env=env, cwd=ROOT)  # noqa: ASYNC220 - not blocking
        base = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(base_url=base, timeout=600) as client:
            for _ in range(3600):  # under valgrind the node takes minutes to start
                if node.poll() is not None:  # e.g. its port was taken meanwhile
                    raise SystemExit(f"the node exited ({node.returncode})")
                try:
                    if (await client.get("/healthz")).status_code < 500:
                        break
                except httpx.HTTPError:
                    await asyncio.sleep(1)
            if node.poll() is not None:
                raise SystemExit(f"the node exited ({node.returncode})")
            r = await client.post(
                "/api/v1/auth/token",
                data={"username": "officer@demo.test", "password": "edtech-demo"},
            )
            token = r.json()["access_token"]
        # As bench_scans' latency run: the board watches the 40 latest sessions, and every
        # scan is a fresh arrival in one of them.
        starts = {sid: at for _, sid, at, _ in marks}
        boards = sorted(set(sorted(starts, key=starts.__getitem__)[-40:]))
        # The warm-up opens every board's session first (one scan in each), so each measured
        # scan does the same work: no measured scan is the first of its session.
        on_boards = sorted((m for m in marks if m[1] in boards), key=lambda m: (m[1], m[0]))
        openers = {m[1]: m for m in reversed(on_boards)}
        rest = [m for m in on_boards if openers[m[1]] is not m]
        chosen = list(openers.values()) + rest[: max(0, warmup - len(openers)) + scans]
        warmup = len(chosen) - scans
        if warmup < len(openers):
            raise SystemExit(f"only {len(on_boards)} marks on the boards")
        pid = node.pid
        received = 0
        async with (
            Fleet("127.0.0.1", port, SCANS, "demo-scanner-key", 1) as fleet,
            connect(
                f"ws://127.0.0.1:{port}/ws?token={token}",
                max_size=2**24,
                ping_interval=None,
                open_timeout=600,
            ) as ws,
        ):
            for n, sid in enumerate(boards):
                await ws.send(
                    json.dumps(
                        {"op": "subscribe", "ref": str(n), "channel": f"attendance.session.{sid}"}
                    )
                )
                await asyncio.sleep(0.06)  # stay under the socket's frame rate limit
            replies = 0
            while replies < len(boards):
                if json.loads(await ws.recv()).get("op") == "reply":
                    replies += 1

            async def post(i: int) -> None:
                card, _, s, _ = chosen[i]
                status, answer = await fleet.post(
                    {"scans": [item(400_000 + i, card, s + timedelta(minutes=1))]}
                )
                if status != 200 or answer["results"][0]["result"] != "recorded":
                    raise SystemExit(f"scan {i}: {status} {answer}")

            async def delivered(count: int) -> None:
                nonlocal received
                while received < count:
                    f = json.loads(await asyncio.wait_for(ws.recv(), 600))
                    if f.get("op") == "event" and f["type"] == "attendance.scan_recorded":
                        received += 1

            for i in range(warmup):
                await post(i)
            await delivered(warmup)
            if use_callgrind:
                _callgrind("-i", "on", str(pid))
            first = await _snapshot(pid, statements)
            if profile:
                os.kill(pid, signal.SIGUSR2)  # profile on
            t0 = time.perf_counter()
            for i in range(warmup, warmup + scans):
                await post(i)
                await delivered(i + 1)  # the board has it before the next scan
            elapsed = time.perf_counter() - t0
            if profile:
                os.kill(pid, signal.SIGUSR2)  # profile off, written
            last = await _snapshot(pid, statements)
            instructions = None
            idle_per_s = None
            if use_callgrind:
                _callgrind("-d", str(pid))
                instructions = _dumped(work)
                # What the node executes meanwhile with no traffic (its event loop, uvicorn's
                # tick): counted over `idle` seconds, so the scans' count can be read net of it.
                await asyncio.sleep(idle)
                _callgrind("-d", str(pid))
                idle_per_s = _dumped(work) / idle
                _callgrind("-i", "off", str(pid))
        return {
            "scans": scans,
            "statements_per_scan": (last - first) / scans,
            "instructions_per_scan": instructions / scans if instructions else None,
            "seconds": elapsed,
            "idle_instructions_per_s": idle_per_s,
            "net_instructions_per_scan": (instructions - idle_per_s * elapsed) / scans
            if instructions and idle_per_s is not None
            else None,
        }
    finally:
        if node is not None:
            node.terminate()
            try:
                node.wait(120)
            except subprocess.TimeoutExpired:
                node.kill()
        await admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--scans", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=40)
    parser.add_argument("--callgrind", action="store_true")
    parser.add_argument("--profile", metavar="FILE")
    parser.add_argument("--idle", type=float, default=20.0, help="seconds of idle counted")
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    profile = str(Path(args.profile).resolve()) if args.profile else None
    result = asyncio.run(run(args.scans, args.warmup, args.callgrind, profile, args.idle))
    print(json.dumps({"label": args.label, **result}))


if __name__ == "__main__":
    main()
