"""Shared plumbing of the scenarios: a private Redis, a throw-away database, node processes."""

# Scripts that coordinate processes through files and polling, on purpose.
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import os
import platform
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
import httpx
import uvicorn
from fastapi import FastAPI

from edtech.app import create_app
from edtech.platform.db.migrations import upgrade
from edtech.platform.serving import bind_socket, uvicorn_config
from edtech.settings import Settings

POSTGRES = os.environ.get(
    "EDTECH_BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_redis(prefix: Sequence[str] = ()) -> tuple[subprocess.Popen[bytes], str]:
    """A private Redis on a free port; `prefix` wraps its command (e.g. `taskset -c 0`)."""
    port = free_port()
    proc = subprocess.Popen(
        [
            *prefix,
            shutil.which("redis-server") or "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    return proc, f"redis://127.0.0.1:{port}/0"


async def _admin(sql: str) -> None:
    conn = await asyncpg.connect(POSTGRES.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def create_database() -> str:
    name = f"edtech_bench_{uuid.uuid4().hex[:8]}"
    await _admin(f'CREATE DATABASE "{name}"')
    url = POSTGRES.rpartition("/")[0] + "/" + name
    await upgrade(url)
    return url


async def drop_database(url: str) -> None:
    await _admin(f'DROP DATABASE IF EXISTS "{url.rpartition("/")[2]}" WITH (FORCE)')


@asynccontextmanager
async def served_here(database_url: str) -> AsyncIterator[tuple[FastAPI, str]]:
    """A node (the real app on `database_url`, an in-memory broker, no background jobs) served
    by uvicorn in this process's event loop, on a free port: the app and its URL. For counting
    a request's statements and CPU in one process (client and node together); its wall times
    are not a client's latency (one loop runs both)."""
    app = create_app(
        Settings(
            database_url=database_url,
            broker_url="memory://",
            secret_key="bench-secret-key-not-for-production-in-process",
            log_level="WARNING",
            log_json=True,
            background_jobs=False,
        )
    )
    sock = bind_socket()
    server = uvicorn.Server(uvicorn_config(app, port=sock.getsockname()[1]))
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:  # noqa: ASYNC110 - uvicorn offers no event to wait on
        await asyncio.sleep(0.01)
    try:
        yield app, f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await serving
        sock.close()


def serve_command(port: int) -> list[str]:
    """A node as the product serves it (`edtech serve`: its heap frozen, its collector set),
    on a database another step migrated; settings come from the environment."""
    return [
        str(Path(sys.executable).parent / "edtech"),
        "serve",
        "--port",
        str(port),
        "--no-migrate",
    ]


def start_node(port: int, database_url: str, broker_url: str, name: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bench.node",
            "--port",
            str(port),
            "--database-url",
            database_url,
            "--broker-url",
            broker_url,
            "--name",
            name,
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=open(f"/tmp/edtech-bench-{name}.log", "wb"),
    )


async def wait_ready(port: int, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as http:
        while time.monotonic() < deadline:
            try:
                if (await http.get(f"http://127.0.0.1:{port}/readyz")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError(f"node on {port} never became ready")


def start_loadgen(
    url: str,
    clients: int,
    channel: str,
    tokens: Path,
    work: Path,
    tag: str,
    sample_every: int = 10,
    settle: float = 3.0,
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bench.loadgen",
            "--url",
            url,
            "--clients",
            str(clients),
            "--channel",
            channel,
            "--tokens-file",
            str(tokens),
            "--out",
            str(work / f"{tag}.json"),
            "--ready-file",
            str(work / f"{tag}.ready"),
            "--stop-file",
            str(work / "stop"),
            "--sample-every",
            str(sample_every),
            "--settle",
            str(settle),
        ],
        cwd=ROOT,
    )


def machine() -> str:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout
    return (
        f"nproc={os.cpu_count()} cpu={cpu} python={platform.python_version()} "
        f"load={os.getloadavg()}\n{mem}"
    )


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]
