"""Fan-out scenario: two nodes sharing Redis and PostgreSQL, 1,000 subscribers on one channel
split across them; events committed through the outbox at a fixed rate or at saturation.

    uv run python -m bench.fanout --mode rate --rate 40 --seconds 10
    uv run python -m bench.fanout --mode saturate --seconds 10
"""

# Scripts that coordinate processes through files and polling, on purpose.
# ruff: noqa: ASYNC110

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

from bench import common
from bench.node import ROOM, Ticked, bench_app, settings, token


async def scenario(args: argparse.Namespace) -> dict[str, object]:
    redis_proc, redis_url = common.start_redis()
    db = await common.create_database()
    work = Path(tempfile.mkdtemp(prefix="edtech-bench-"))
    ports = [common.free_port(), common.free_port()]
    nodes = [common.start_node(p, db, redis_url, f"node-{i}") for i, p in enumerate(ports)]
    loadgens = []
    publisher_app = None
    try:
        for port in ports:
            await common.wait_ready(port)
        publisher_app = bench_app(settings(db, redis_url, "publisher"))
        rt = publisher_app.state.realtime
        await rt.start()
        services = publisher_app.state.services
        room = uuid.uuid4()
        channel = ROOM.name(id=room)
        tokens = work / "tokens.txt"
        tokens.write_text("\n".join(token(services.signer) for _ in range(args.clients)))
        per_node = args.clients // 2
        for i, port in enumerate(ports):
            loadgens.append(
                common.start_loadgen(
                    f"ws://127.0.0.1:{port}/ws",
                    per_node,
                    channel,
                    tokens,
                    work,
                    f"lg{i}",
                    settle=args.settle,
                )
            )
        while not all((work / f"lg{i}.ready").exists() for i in range(2)):
            if any(p.poll() is not None for p in loadgens):
                raise RuntimeError("a load generator died")
            await asyncio.sleep(0.2)

        sent = 0
        started = time.monotonic()
        end = started + args.seconds
        while time.monotonic() < end:
            batch = args.batch
            async with services.uow() as uow:
                for _ in range(batch):
                    sent += 1
                    uow.emit(
                        Ticked(
                            institution_id=uuid.UUID(int=1),
                            occurred_at=datetime.now(UTC),
                            room_id=room,
                            n=sent,
                        )
                    )
                await uow.commit()
            if args.mode == "rate":
                await asyncio.sleep(max(0.0, started + sent / args.rate - time.monotonic()))
            else:
                await asyncio.sleep(0)
        publish_seconds = time.monotonic() - started
        (work / "stop").write_text("stop")
        for lg in loadgens:
            while lg.poll() is None:
                await asyncio.sleep(0.2)
        results = [json.loads((work / f"lg{i}.json").read_text()) for i in range(2)]
    finally:
        for lg in loadgens:
            if lg.poll() is None:
                lg.kill()
        if publisher_app is not None:
            await publisher_app.state.realtime.stop()
            await publisher_app.state.services.engine.dispose()
        for node in nodes:
            node.terminate()
        for node in nodes:
            try:
                node.wait(15)
            except Exception:  # a node still flushing a backlog: results are already in
                node.kill()
        redis_proc.terminate()
        await common.drop_database(db)

    delivered = sum(r["delivered"] for r in results)
    first = min(r["first_at"] for r in results if r["first_at"])
    last = max(r["last_at"] for r in results)
    complete = sum(
        1
        for r in results
        for c, o in zip(r["per_socket"], r["last_offsets"], strict=True)
        if c == sent == o
    )
    lat = [x for r in results for x in r["latency_samples"]]
    return {
        "mode": args.mode,
        "rate_events_per_s": args.rate if args.mode == "rate" else None,
        "events_per_commit": args.batch,
        "events": sent,
        "publish_seconds": round(publish_seconds, 2),
        "subscribers": sum(r["clients"] for r in results),
        "expected_deliveries": sent * args.clients,
        "delivered": delivered,
        "complete_subscribers": complete,
        "out_of_order": sum(r["out_of_order"] for r in results),
        # Offsets a socket skipped below the last it got (lost, not late), and the sockets
        # still behind the last event when the settle time ran out (late, not lost).
        "lost_deliveries": sum(
            o - c for r in results for c, o in zip(r["per_socket"], r["last_offsets"], strict=True)
        ),
        "behind_subscribers": sum(1 for r in results for o in r["last_offsets"] if o < sent),
        "closed": [c for r in results for c in r["closed"]],
        "deliveries_per_s": round(delivered / (last - first)) if last > first else None,
        "latency_p50_ms": round(common.percentile(lat, 0.5) * 1000, 1),
        "latency_p99_ms": round(common.percentile(lat, 0.99) * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", choices=["rate", "saturate"], default="rate")
    parser.add_argument("--rate", type=float, default=40.0, help="events/s in rate mode")
    parser.add_argument("--batch", type=int, default=1, help="events per commit")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument(
        "--settle", type=float, default=3.0, help="seconds subscribers keep reading after"
    )
    args = parser.parse_args()
    print(common.machine())
    result = asyncio.run(scenario(args))
    print(json.dumps({k: v for k, v in result.items() if k != "closed"}, indent=2))
    closed = cast(list[int], result["closed"])
    print("closed sockets by code:", {c: closed.count(c) for c in set(closed)})


if __name__ == "__main__":
    main()
