"""Idle scenario: N authenticated idle sockets on one node; memory per socket from its RSS.

uv run python -m bench.idle --clients 5000
"""

# Scripts that coordinate processes through files and polling, on purpose.
# ruff: noqa: ASYNC110

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path

from bench import common
from bench.node import SECRET, TOKEN_TYPE, token  # noqa: F401 - same secret as the node
from edtech.platform.security.tokens import TokenSigner


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


async def scenario(args: argparse.Namespace) -> dict[str, object]:
    work = Path(tempfile.mkdtemp(prefix="edtech-idle-"))
    db = f"sqlite+aiosqlite:///{work / 'idle.sqlite'}"
    from edtech.platform.db.migrations import upgrade

    await upgrade(db)
    port = common.free_port()
    node = common.start_node(port, db, "memory://", "idle")
    try:
        await common.wait_ready(port)
        signer = TokenSigner(SECRET)
        tokens = work / "tokens.txt"
        tokens.write_text("\n".join(token(signer) for _ in range(args.clients)))
        warm = common.start_loadgen(f"ws://127.0.0.1:{port}/ws", 50, "", tokens, work, "warm")
        while not (work / "warm.ready").exists():
            await asyncio.sleep(0.2)
        await asyncio.sleep(2)
        before = rss_kib(node.pid)
        lg = common.start_loadgen(
            f"ws://127.0.0.1:{port}/ws", args.clients, "", tokens, work, "idle"
        )
        started = time.monotonic()
        while not (work / "idle.ready").exists():
            if lg.poll() is not None:
                raise RuntimeError("load generator died")
            await asyncio.sleep(0.2)
        await asyncio.sleep(3)
        after = rss_kib(node.pid)
        (work / "stop").write_text("stop")
        lg.wait(60)
        warm.wait(60)
        return {
            "clients": args.clients,
            "open_seconds": round(time.monotonic() - started, 1),
            "rss_before_kib": before,
            "rss_after_kib": after,
            "kib_per_connection": round((after - before) / args.clients, 2),
        }
    finally:
        node.terminate()
        node.wait(20)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=5000)
    args = parser.parse_args()
    print(common.machine())
    print(json.dumps(asyncio.run(scenario(args)), indent=2))


if __name__ == "__main__":
    main()
