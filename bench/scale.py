"""The scaling model (docs/scaling.md) checked against 1-, 2- and 3-node runs on this machine.

    uv run --group bench python -m bench.scale --out bench/results/scale.md
    uv run --group bench python -m bench.scale --nodes 1 2 3 --repeat 2 --seconds 4 \\
        --chat-channels 300 --chat-rate 100 --fanout-clients 600 --fanout-rate 20

Runs edtech alone (`bench.compare`'s harness: the servers and Redis pinned to core 0, the
publisher and the load generators to core 1) with 1, 2 and 3 nodes, in turn, `--repeat` times:
chat at a fixed rate and at saturation, and fan-out at a fixed rate (`bench.compare`'s
scenarios; with N nodes, a chat room's two subscribers sit on nodes j and j + 1 mod N and the
fan-out's subscribers spread evenly).

The model (docs/scaling.md) says what a node count changes: the work per message is the
same on any number of nodes — one node writes it, the nodes holding subscribers deliver it —
while each node adds its background (timers, the relay's and the probe's polling), measured as
idle CPU per second for `--baseline` seconds before each run's traffic. So the node CPU per
message net of that background should stay at the 1-node figure, and the saturated rate is the
CPU the servers got in the 1-node run less the N nodes' background, divided by the 1-node cost
per message. The table puts that prediction beside each node count's measurement (PostgreSQL
is not pinned and is reported apart).
"""

# Scripts that coordinate processes through files and polling, on purpose.
# ruff: noqa: ASYNC240

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import common
from bench.compare import Env, System, fmt, pinned, run_traffic, versions
from bench.node import SECRET, token
from edtech.platform.security.tokens import TokenSigner

SCENARIOS = ("chat-rate", "chat-sat", "fanout-rate")


def _median(rows: list[dict[str, Any]], key: str) -> float | None:
    values = [r[key] for r in rows if r.get(key) is not None]
    return statistics.median(values) if values else None


def _per_message(row: dict[str, Any]) -> None:
    """Adds a run's costs per message: Redis's, and the nodes' net of their background (the
    idle CPU per second measured before publishing, times the measured window)."""
    published = row["published"] or 1
    row["redis_cpu_ms_per_msg"] = 1000 * row["redis_cpu_s"] / published
    background = row.get("idle_node_cpu_ms_per_s", 0.0) * row["window_s"]
    row["net_node_cpu_ms_per_msg"] = (1000 * row["node_cpu_s"] - background) / published


def model_table(rows: list[dict[str, Any]]) -> str:
    """Per scenario and node count, the measured medians beside what the 1-node run predicts.

    The model: a message costs the servers the same on any number of nodes (net of the nodes'
    background), and each node adds its background (idle CPU per second). So the net node CPU
    per message should stay at the 1-node figure, and at saturation the servers' CPU budget —
    what they got per second in the 1-node run, `rate × (node + Redis CPU per message)` — less
    the N nodes' background, divided by the 1-node cost per message, predicts the rate."""
    for r in rows:
        _per_message(r)
    lines = [
        "| scenario | nodes | msgs/s | predicted msgs/s | delivered / expected | p50 / p99 ms "
        "| node CPU ms/msg | net of background | Redis CPU ms/msg | nodes' idle CPU ms/s "
        "| PG CPU ms/msg | PG idle CPU ms/s | runs (msgs/s) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for scenario in SCENARIOS:
        one: dict[str, float] = {}
        for n in sorted({r["nodes"] for r in rows}):
            rs = [r for r in rows if r["scenario"] == scenario and r["nodes"] == n]
            if not rs:
                continue
            m = {k: _median(rs, k) for k in rs[0] if isinstance(rs[0][k], int | float)}
            if not one:
                one = {k: v for k, v in m.items() if v is not None}
                one["budget"] = one["messages_per_s"] * (
                    one["node_cpu_ms_per_msg"] + one["redis_cpu_ms_per_msg"]
                )
            predicted = None
            if scenario.endswith("-sat") and "idle_node_cpu_ms_per_s" in one:
                spare = one["budget"] - (m["idle_node_cpu_ms_per_s"] or 0.0)
                predicted = spare / (one["net_node_cpu_ms_per_msg"] + one["redis_cpu_ms_per_msg"])
            elif scenario.endswith("-rate"):
                predicted = one["messages_per_s"]
            lines.append(
                f"| {scenario} | {n} | {fmt(m['messages_per_s'])} | {fmt(predicted)} "
                f"| {fmt(m['delivered'])} / {fmt(m['expected'])} "
                f"| {fmt(m['p50_ms'])} / {fmt(m['p99_ms'])} | {fmt(m['node_cpu_ms_per_msg'])} "
                f"| {fmt(m['net_node_cpu_ms_per_msg'])} | {fmt(m['redis_cpu_ms_per_msg'])} "
                f"| {fmt(m.get('idle_node_cpu_ms_per_s'))} | {fmt(m['pg_cpu_ms_per_msg'])} "
                f"| {fmt(m.get('idle_pg_cpu_ms_per_s'))} "
                f"| {', '.join(fmt(r['messages_per_s']) for r in rs)} |"
            )
    return "\n".join(lines)


async def main_async(args: argparse.Namespace) -> None:
    cores = os.cpu_count() or 1
    server_core, lg_core = (0, 1) if cores >= 2 else (None, None)
    if lg_core is not None:
        os.sched_setaffinity(0, {lg_core})
    work = Path(tempfile.mkdtemp(prefix="edtech-scale-"))
    tokens = work / "tokens.txt"
    signer = TokenSigner(SECRET)
    n_tokens = max(args.fanout_clients, args.chat_channels * 2, 50)
    tokens.write_text("\n".join(token(signer) for _ in range(n_tokens)))
    env = Env(work, lg_core, tokens)
    system = System("edtech", "edtech", "/bench/publish", server_core)
    redis_proc, system.redis_url = common.start_redis(pinned(server_core, []))
    system.database = await common.create_database()
    header = (
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {common.machine()}; load before: "
        f"{os.getloadavg()}\npinning: servers + Redis on core {server_core}, publisher + load "
        f"generators on core {lg_core}; {versions()}\nargs: {vars(args)}\n"
    )
    print(header, flush=True)
    rows: list[dict[str, Any]] = []
    try:
        for rep in range(args.repeat):
            for n in args.nodes:
                for scenario in SCENARIOS:
                    # the same number of senders in all, whatever the node count
                    per_node = max(1, args.senders // n)
                    run_args = argparse.Namespace(
                        **{**vars(args), "nodes": n, "concurrency": per_node, "profile": ""}
                    )
                    try:
                        row = await run_traffic(env, system, scenario, run_args, redis_proc.pid)
                    except RuntimeError as exc:
                        print(f"{n} nodes {scenario} rep {rep} failed: {exc}", flush=True)
                        continue
                    row["rep"] = rep
                    rows.append(row)
                    print(json.dumps(row), flush=True)
    finally:
        redis_proc.terminate()
        await common.drop_database(system.database)
    text = f"```\n{header}load after: {os.getloadavg()}\n```\n\n{model_table(rows)}\n"
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text)
        Path(args.out).with_suffix(".json").write_text(json.dumps(rows, indent=1))
    print(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nodes", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--settle", type=float, default=5.0, help="seconds to drain after")
    parser.add_argument(
        "--senders", type=int, default=32, help="publishing connections in all (saturation)"
    )
    parser.add_argument("--fanout-clients", type=int, default=1000)
    parser.add_argument("--fanout-rate", type=float, default=20.0)
    parser.add_argument("--chat-channels", type=int, default=500)
    parser.add_argument("--chat-rate", type=float, default=100.0)
    parser.add_argument(
        "--baseline", type=float, default=3.0, help="seconds of idle CPU measured per run"
    )
    parser.add_argument("--out", default="")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
