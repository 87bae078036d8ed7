"""Count the work of one chat message posted over REST: SQL statements, and the CPU, and where.

One node in this process on a throw-away PostgreSQL database with the SMALL demo school; a
guardian posts `--rounds` messages to a teacher of their child through
`POST /api/v1/conversations/{id}/messages`. For each request it counts every statement sent to
PostgreSQL (SQLAlchemy's `before_cursor_execute`, by kind and table) and the CPU of this process
during the request (`time.process_time`: the client and the node — HTTP, authentication, the use
case, the event sinks, the commit, the outbox hand-off). `--sequence` prints the last message's
statements in order. (No wall time: client and node share one event loop here, and a request's
round trip measured so is not what a client sees — `bench.chat.chat_throughput` times that.)

    uv run python -m bench.chat.post_count --rounds 200
    uv run --group bench py-spy record -r 500 -f raw -o /tmp/post.txt -- \\
        .venv/bin/python -m bench.chat.post_count --rounds 500
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections import Counter
from pathlib import Path

import httpx

import edtech
from bench import common
from bench.chat.chat_throughput import database, pairs, person_ids, seed
from bench.grades.publish_count import Statements, kind
from edtech.demo import DEMO_PASSWORD, SMALL


async def run(rounds: int, sequence: bool) -> None:
    counter = Statements()
    async with database() as db:
        await seed(db, SMALL)
        guardian, teacher, _ = (await pairs(db, 1))[0]
        teacher_id = (await person_ids(db, {teacher}))[teacher]
        counts: list[int] = []
        cpu: list[float] = []
        kinds: Counter[str] = Counter()
        last: list[str] = []
        async with (
            common.served_here(db) as (_, url),
            httpx.AsyncClient(base_url=url, timeout=60) as a,
        ):
            r = await a.post(
                "/api/v1/auth/token", data={"username": guardian, "password": DEMO_PASSWORD}
            )
            r.raise_for_status()
            auth = {"Authorization": f"Bearer {r.json()['access_token']}"}
            r = await a.post(
                "/api/v1/conversations",
                json={"kind": "direct", "participant_ids": [teacher_id]},
                headers=auth,
            )
            r.raise_for_status()
            path = f"/api/v1/conversations/{r.json()['id']}/messages"
            for n in range(rounds + 5):  # the first five warm caches, not reported
                counter.seen = []
                counter.on = True
                c0 = time.process_time()
                r = await a.post(
                    path, json={"client_id": f"m-{n}", "body": f"hello {n}"}, headers=auth
                )
                c1 = time.process_time()
                counter.on = False
                r.raise_for_status()
                if n >= 5:
                    counts.append(len(counter.seen))
                    cpu.append(c1 - c0)
                    kinds.update(kind(s) for s in counter.seen)
                    last = list(counter.seen)
    print(f"edtech from {Path(edtech.__file__).parent}")
    print(f"{rounds} messages over REST")
    print(f"statements per message: {sorted(set(counts))}")
    print(f"process CPU per request (client + node), median: {statistics.median(cpu) * 1e3:.2f} ms")
    for k, v in kinds.most_common():
        print(f"  {v / len(counts):5.1f}  {k}")
    if sequence:
        for s in last:
            print("---", " ".join(s.split())[:300])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--sequence", action="store_true")
    args = parser.parse_args()
    asyncio.run(run(args.rounds, args.sequence))


if __name__ == "__main__":
    main()
