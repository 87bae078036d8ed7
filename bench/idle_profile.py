"""Where an idle authenticated socket's memory goes: tracemalloc, N then 2N sockets, diff.

uv run python -m bench.idle_profile --clients 1000 --top 30

One node in this process (SQLite + memory broker, the bench app), its allocations traced; a
load generator opens N sockets, a snapshot is taken, N more, another snapshot; the growth
between the two, grouped by the line that allocated it, divided by N, is what one more idle
socket holds (Python objects only: not the kernel's socket buffers nor libuv's).
"""

# Scripts that coordinate processes through files and polling, on purpose.
# ruff: noqa: ASYNC110, ASYNC240

from __future__ import annotations

import argparse
import asyncio
import gc
import tempfile
import tracemalloc
from pathlib import Path

import uvicorn

from bench import common
from bench.node import SECRET, bench_app, settings, token
from edtech.platform.security.tokens import TokenSigner
from edtech.platform.serving import uvicorn_config


async def _open(url: str, n: int, tokens: Path, work: Path, tag: str) -> None:
    tokens.write_text("\n".join(token(TokenSigner(SECRET)) for _ in range(n)))
    common.start_loadgen(url, n, "", tokens, work, tag)
    while not (work / f"{tag}.ready").exists():
        await asyncio.sleep(0.2)
    await asyncio.sleep(2)


async def run(args: argparse.Namespace) -> None:
    work = Path(tempfile.mkdtemp(prefix="edtech-idleprof-"))
    db = f"sqlite+aiosqlite:///{work / 'idle.sqlite'}"
    from edtech.platform.db.migrations import upgrade

    await upgrade(db)
    port = common.free_port()
    app = bench_app(settings(db, "memory://", "idleprof"))
    server = uvicorn.Server(uvicorn_config(app, port=port, backlog=4096))
    serving = asyncio.create_task(server.serve())
    await common.wait_ready(port)
    url = f"ws://127.0.0.1:{port}/ws"
    await _open(url, 50, work / "t0", work, "warm")
    tracemalloc.start(args.depth)
    await _open(url, args.clients, work / "t1", work, "a")
    gc.collect()
    first = tracemalloc.take_snapshot()
    await _open(url, args.clients, work / "t2", work, "b")
    gc.collect()
    second = tracemalloc.take_snapshot()
    n = args.clients
    for key in ("lineno", "traceback") if args.depth > 1 else ("lineno",):
        stats = second.compare_to(first, key)
        total = sum(s.size_diff for s in stats)
        print(f"\n== by {key}: {total / n:.0f} B per socket (Python heap)")
        for s in stats[: args.top]:
            where = s.traceback.format()[-1].strip()
            print(f"{s.size_diff / n:8.0f} B {s.count_diff / n:6.2f} objs  {where}")
            if key == "traceback":
                for line in s.traceback.format()[-2 * args.depth : -1]:
                    print("            " + line.rstrip())
    (work / "stop").write_text("stop")
    await asyncio.sleep(2)
    server.should_exit = True
    await serving


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--depth", type=int, default=1)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
