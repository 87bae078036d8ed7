"""Count the work of one grade publication: SQL statements, round trips, node CPU, and where.

The publication's work, counted rather than timed (as "The scan path's work counted" in
docs/benchmarks.md): one node in this process on a throw-away PostgreSQL database seeded with
`bench.grades.publish_fanout`'s school (`--students` per section, two guardians each), the
teacher re-grades the class and publishes, `--rounds` times. For each publish request it
counts every statement sent to PostgreSQL (SQLAlchemy's `before_cursor_execute`, grouped by
table) and the CPU of this process during the request (`time.process_time`: the client and the
node — HTTP, auth, the use case, the event sinks, the commit, the outbox hand-off); and the
same two for the request that enters the class's drafts before each publication; and, at the
end, the jobs the rounds deferred, by name, per round. `--sequence`
lists the last publication's statements in order (twice: with their SQL); `--skip SINK` runs
every second publication without that event sink (not a behaviour to ship: a measurement of
what the sink costs the request, alternated in one run).

    uv run python -m bench.grades.publish_count --students 35 --rounds 10
    PYTHONPATH=../pub4-before/src uv run python -m bench.grades.publish_count --students 35

Where the CPU goes: run it under py-spy (`--format raw` gives collapsed stacks to sum by frame):

    uv run --group bench py-spy record -r 500 -f raw -o /tmp/pub.txt -- \
        .venv/bin/python -m bench.grades.publish_count --students 35 --rounds 20
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import re
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

import edtech
from bench import common
from bench.grades.publish_fanout import database, percentile, seed_school, the_class
from edtech.platform.jobs.table import job_table

OWN = "the route and use case (no sink), the commit"


class Statements:
    """Every statement any engine of this process sends while `on`, each with the phase it was
    sent in: an event sink's `stage` (`watch`), or the rest of the request."""

    def __init__(self) -> None:
        self.on = False
        self.phase = OWN
        self.seen: list[str] = []
        self.by_phase: Counter[str] = Counter()
        self.wall: defaultdict[str, float] = defaultdict(float)
        self.cpu: defaultdict[str, float] = defaultdict(float)
        self.skip: set[str] = set()
        self.skipping = False
        sa.event.listen(sa.engine.Engine, "before_cursor_execute", self._count)

    def _count(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if self.on:
            self.seen.append(statement)
            self.by_phase[self.phase] += 1

    def watch(self, sink: Any) -> None:
        """Time `sink.stage` and attribute its statements to it."""
        stage, name = sink.stage, f"{type(sink).__name__}.stage"
        skippable = type(sink).__name__ in self.skip

        async def timed(session: Any, events: Any) -> object:
            if self.skipping and skippable:
                return None
            self.phase = name
            w0, c0 = time.perf_counter(), time.process_time()
            try:
                return await stage(session, events)
            finally:
                if self.on:
                    self.wall[name] += time.perf_counter() - w0
                    self.cpu[name] += time.process_time() - c0
                self.phase = OWN

        sink.stage = timed


def kind(statement: str) -> str:
    """A statement's first words and table: `SELECT … FROM guardian_link`, `INSERT INTO x`."""
    text = " ".join(statement.split())
    verb = text.split(" ", 1)[0].upper()
    if verb in {"INSERT", "UPDATE", "DELETE"}:
        m = re.match(r"(INSERT INTO|UPDATE|DELETE FROM) (\w+)", text, re.I)
        return f"{m.group(1).upper()} {m.group(2)}" if m else verb
    if verb in {"SELECT", "WITH"}:
        m = re.search(r"\bFROM (\w+)", text, re.I)
        return f"{verb} … FROM {m.group(1)}" if m else verb
    return text[:40]


async def run(students: int, rounds: int, sequence: int = 0, skip: Sequence[str] = ()) -> None:
    counter = Statements()
    counter.skip = set(skip)
    skipped_wall: list[float] = []
    skipped_cpu: list[float] = []
    async with database() as db:
        summary = await seed_school(db, students)
        counts: list[int] = []
        cpu: list[float] = []
        wall: list[float] = []
        kinds: Counter[str] = Counter()
        last: list[str] = []
        entering = Statements()  # the class's drafts entered before each publication
        entry_cpu: list[float] = []
        entry_counts: list[int] = []
        async with (
            common.served_here(db) as (app, url),
            httpx.AsyncClient(base_url=url, timeout=60) as a,
        ):
            for sink in app.state.services.sinks:
                counter.watch(sink)
            teacher, section, ids, assessment = await the_class(a, summary)
            for m in range(2 * rounds + 1 if skip else rounds + 1):
                # the first round warms caches, not reported; with `skip`, every second
                # round runs without those sinks
                n, counter.skipping = (m + 1) // 2 if skip else m, bool(skip) and m % 2 == 0
                items = [
                    {
                        "assessment_id": assessment,
                        "student_id": str(s),
                        "value": str((m + i) % 10),
                    }
                    for i, s in enumerate(ids)
                ]
                entering.seen, entering.on = [], True
                c0 = time.process_time()
                r = await a.post(
                    f"/api/v1/sections/{section}/results/batch",
                    json={"items": items},
                    headers=teacher,
                )
                entry_cpu.append(time.process_time() - c0)
                entering.on = False
                entry_counts.append(len(entering.seen))
                r.raise_for_status()
                counter.seen = []
                if n == 1 and not counter.skipping:  # count from the second round
                    counter.by_phase.clear()
                    counter.wall.clear()
                    counter.cpu.clear()
                counter.on = not counter.skipping
                c0, w0 = time.process_time(), time.perf_counter()
                r = await a.post(
                    f"/api/v1/assessments/{assessment}/publications",
                    json={"scope": "all"},
                    headers=teacher,
                )
                c1, w1 = time.process_time(), time.perf_counter()
                counter.on = False
                r.raise_for_status()
                assert len(r.json()["changes"]) == len(ids)
                if n and counter.skipping:
                    skipped_cpu.append(c1 - c0)
                    skipped_wall.append(w1 - w0)
                elif n:
                    counts.append(len(counter.seen))
                    cpu.append(c1 - c0)
                    wall.append(w1 - w0)
                    kinds.update(kind(s) for s in counter.seen)
                    last = list(counter.seen)
            async with app.state.services.session_factory() as session:
                names = sa.select(job_table.c.name, sa.func.count()).group_by(job_table.c.name)
                jobs: dict[str, int] = {str(r[0]): int(r[1]) for r in await session.execute(names)}
    print(f"edtech from {Path(edtech.__file__).parent}")
    print(f"{len(ids)} students; {rounds} publications")
    print(f"statements per publication: {sorted(set(counts))}")
    print(
        "process CPU per publish request (client + node), median: "
        f"{statistics.median(cpu) * 1000:.1f} ms"
    )
    print(
        "wall per publish request (in process: not a client's latency), median: "
        f"{statistics.median(wall) * 1000:.1f} ms"
    )
    if skip:
        print(
            f"without {', '.join(skip)} (alternate rounds): process CPU median "
            f"{statistics.median(skipped_cpu) * 1000:.1f} ms, wall median "
            f"{statistics.median(skipped_wall) * 1000:.1f} ms, p99 "
            f"{percentile(skipped_wall, 99) * 1000:.1f} ms (with them: p99 "
            f"{percentile(wall, 99) * 1000:.1f} ms)"
        )
    print(
        f"entering the class's drafts before each (POST …/results/batch): statements "
        f"{sorted(set(entry_counts[1:]))}, process CPU median "
        f"{statistics.median(entry_cpu[1:]) * 1000:.1f} ms"
    )
    played = 2 * rounds + 1 if skip else rounds + 1
    print(f"jobs deferred per round (the drafts' entry and the publication; {played} rounds):")
    for name, n in sorted(jobs.items(), key=lambda item: -item[1]):
        print(f"  {n / played:6.1f}  {name}")
    print("by phase, per publication: statements, wall ms, process CPU ms (sinks only)")
    for phase, v in counter.by_phase.most_common():
        wall_ms, cpu_ms = counter.wall[phase] * 1000 / rounds, counter.cpu[phase] * 1000 / rounds
        timing = f"{wall_ms:7.1f} {cpu_ms:7.1f}" if phase != OWN else " " * 15
        print(f"  {v / rounds:6.1f} {timing}  {phase}")
    print("statements by kind, per publication:")
    for k, v in kinds.most_common():
        print(f"  {v / rounds:6.1f}  {k}")
    if sequence:
        print("the last publication's statements in order (runs of one kind collapsed):")
        for k, group in itertools.groupby(last, key=kind):
            texts = list(group)
            print(f"  {len(texts):4d} × {k}")
            if sequence > 1:
                print("         " + " ".join(texts[0].split())[:400])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=35)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument(
        "--sequence", action="count", default=0, help="list the statements in order (twice: SQL)"
    )
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        metavar="SINK",
        help="an event sink's class (whose `committed` ignores its token, e.g. "
        "NotificationSink): every second round runs without it, to weigh its cost",
    )
    args = parser.parse_args()
    asyncio.run(run(args.students, args.rounds, args.sequence, args.skip))


if __name__ == "__main__":
    main()
