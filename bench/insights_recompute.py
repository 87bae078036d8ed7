"""Benchmark: recompute students' early-warning signals on PostgreSQL.

A throw-away PostgreSQL database (migrated) gets the demo roster at the chosen scale and a year
of attendance written set-based into its tables (two `INSERT … SELECT generate_series`
statements, not rows from Python): every section meets once a school day for `--days`
weekdays, each session closed, each student marked present or, at random (`setseed`), absent
6 % / excused 2 % / tardy 3 %. Then, through the real use case (`RecomputeSignals`: its unit of
work, the attendance read, the signals' claim, the commit):

* one student after a mark change — `--samples` students; each sampled student's signals exist
  (recomputed once, untimed), then one of their marks is flipped (untimed) and their recompute
  is timed: p50 / p99 / max;
* a full recompute of every student, `--batch` students per transaction: total seconds.

`--compare SRC` measures the code in SRC (an `src` directory of another checkout, e.g. the
merge base, through `PYTHONPATH`) and this checkout side by side on the same database, in
alternating child processes, `--runs` times each; medians of the runs are printed.

    uv run python -m bench.insights_recompute --students 2000 --days 180
    git archive main src | tar -x -C /tmp/before
    uv run python -m bench.insights_recompute --students 2000 --compare /tmp/before/src
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bench.common import create_database, drop_database, machine, percentile
from edtech.demo import DemoScale, seed_demo
from edtech.insights.application.recompute_signals import RecomputeSignals
from edtech.institutions.public import sections_of_institution, students_of_section
from edtech.kernel.clock import SystemClock
from edtech.platform.db.engine import make_engine, make_session_factory
from edtech.platform.db.uow import UnitOfWork

SESSIONS = """
INSERT INTO attendance_session (id, institution_id, school_id, section_id, kind, day, opens_at,
  starts_at, ends_at, closes_at, grace_minutes, late_cutoff_minutes, state, closed_at, version)
SELECT gen_random_uuid(), s.institution_id, s.school_id, s.id, 'period', d::date,
  d + interval '12 hours 50 minutes', d + interval '13 hours', d + interval '13 hours 45 minutes',
  d + interval '13 hours 45 minutes', 5, 30, 'closed', d + interval '13 hours 45 minutes', 1
FROM section s
CROSS JOIN generate_series(:first, :last, interval '1 day') AS d
WHERE s.institution_id = :institution AND extract(isodow FROM d) < 6
  AND s.id IN (SELECT section_id FROM bench_roster)
"""

MARKS = """
INSERT INTO attendance_mark (id, institution_id, session_id, student_id, category, minutes_late,
  version)
SELECT gen_random_uuid(), x.institution_id, x.id, x.student_id,
  CASE WHEN x.r < 0.06 THEN 'absent' WHEN x.r < 0.08 THEN 'excused_absence'
       WHEN x.r < 0.11 THEN 'tardy' ELSE 'present' END,
  CASE WHEN x.r >= 0.08 AND x.r < 0.11 THEN 7 END, 1
FROM (SELECT a.institution_id, a.id, r.student_id, random() AS r
      FROM attendance_session a JOIN bench_roster r ON r.section_id = a.section_id
      WHERE a.institution_id = :institution) AS x
"""


async def seed(url: str, students: int, days: int) -> tuple[uuid.UUID, list[uuid.UUID], int]:
    """The roster and a year of closed sessions with marks, set-based; returns the
    institution, the students with marks and how many marks were written."""
    engine = make_engine(url)
    factory = make_session_factory(engine)
    sections = max(students // 25, 2)
    t = time.perf_counter()
    summary = await seed_demo(
        factory,
        scale=DemoScale(
            sections=sections, students=students, teachers=sections, second_guardians=0
        ),
    )
    print(f"roster seeded in {time.perf_counter() - t:.1f} s", flush=True)
    institution = summary.institution_id
    today = datetime.now(UTC).date()
    async with factory() as session:
        pairs = await sections_of_institution(session, institution)
        roster = [
            {"section_id": sec, "student_id": student}
            for sec, _ in pairs
            for student in await students_of_section(session, institution, sec, today)
        ]
    t = time.perf_counter()
    last = today - timedelta(days=1)
    first = last
    weekdays = 1 if last.weekday() < 5 else 0
    while weekdays < days:
        first -= timedelta(days=1)
        weekdays += first.weekday() < 5
    async with engine.begin() as conn:
        await conn.execute(
            sa.text("CREATE TEMPORARY TABLE bench_roster (section_id uuid, student_id uuid)")
        )
        await conn.execute(
            sa.text("INSERT INTO bench_roster VALUES (:section_id, :student_id)"), roster
        )
        await conn.execute(sa.text("SELECT setseed(0.18)"))
        await conn.execute(
            sa.text(SESSIONS),
            {
                "first": datetime(first.year, first.month, first.day, tzinfo=UTC),
                "last": datetime(last.year, last.month, last.day, tzinfo=UTC),
                "institution": institution,
            },
        )
        written = (await conn.execute(sa.text(MARKS), {"institution": institution})).rowcount
        await conn.execute(sa.text("DROP TABLE bench_roster"))
    print(f"{written} marks written in {time.perf_counter() - t:.1f} s", flush=True)
    async with engine.connect() as conn:
        # Fresh tables have no statistics: a production database has been analysed (the
        # planner otherwise takes 14,400 sessions for 18 and loops over them per student).
        await conn.execute(sa.text("ANALYZE"))
        await conn.commit()
    await engine.dispose()
    marked = sorted({r["student_id"] for r in roster}, key=str)
    return institution, marked, written


async def flip_a_mark(conn: AsyncConnection, student: uuid.UUID) -> None:
    """One of the student's marks turns absent ↔ present (a teacher's correction)."""
    await conn.execute(
        sa.text(
            "UPDATE attendance_mark SET category = CASE category WHEN 'absent' THEN 'present' "
            "ELSE 'absent' END, version = version + 1 WHERE id = (SELECT id FROM "
            "attendance_mark WHERE student_id = :s ORDER BY random() LIMIT 1)"
        ),
        {"s": student},
    )
    await conn.commit()


async def measure(
    url: str, institution: uuid.UUID, everyone: list[uuid.UUID], samples: int, batch: int
) -> dict[str, float]:
    engine = make_engine(url)
    factory = make_session_factory(engine)
    clock = SystemClock()

    def recompute() -> RecomputeSignals:
        return RecomputeSignals(UnitOfWork(factory), clock)

    sample = random.Random(7).sample(everyone, min(samples, len(everyone)))
    for i in range(0, len(sample), batch):  # every sampled student's signals exist
        await recompute()(institution, sample[i : i + batch])
    timings = []
    async with engine.connect() as conn:
        for student in sample:
            await flip_a_mark(conn, student)
            t = time.perf_counter()
            await recompute()(institution, [student])
            timings.append(1000 * (time.perf_counter() - t))
    t = time.perf_counter()
    for i in range(0, len(everyone), batch):
        await recompute()(institution, everyone[i : i + batch])
    full = time.perf_counter() - t
    await engine.dispose()
    return {
        "p50": statistics.median(timings),
        "p99": percentile(timings, 0.99),
        "max": max(timings),
        "full": full,
        "students": len(everyone),
        "samples": len(timings),
    }


def child(
    url: str, institution: uuid.UUID, src: str | None, samples: int, batch: int
) -> dict[str, float]:
    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    args = [sys.executable, "-m", "bench.insights_recompute", "--measure", url, str(institution)]
    args += ["--samples", str(samples), "--batch", str(batch)]
    out = subprocess.run(args, env=env, check=True, capture_output=True, text=True).stdout
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result


def line(name: str, runs: list[dict[str, float]]) -> str:
    def med(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    n = runs[0]["students"]
    return (
        f"{name}: one student p50 {med('p50'):.2f} / p99 {med('p99'):.2f} / max {med('max'):.2f} ms"
        f" ({int(runs[0]['samples'])} samples); full recompute of {int(n)}: {med('full'):.1f} s"
        f" ({1000 * med('full') / n:.2f} ms per student); runs p99: "
        + ", ".join(f"{r['p99']:.1f}" for r in runs)
    )


async def run(args: argparse.Namespace) -> None:
    url = await create_database()
    try:
        t0 = time.perf_counter()
        institution, everyone, marks = await seed(url, args.students, args.days)
        print(
            f"seeded {len(everyone)} students, {marks} marks in {time.perf_counter() - t0:.1f} s",
            flush=True,
        )
        print(machine(), flush=True)
        results: dict[str, list[dict[str, float]]] = {"before": [], "after": []}
        for i in range(args.runs):
            for name in ("before", "after") if args.compare else ("after",):
                src = args.compare if name == "before" else None
                load = os.getloadavg()[0]
                r = child(url, institution, src, args.samples, args.batch)
                results[name].append(r)
                print(
                    f"run {i + 1} {name} (load {load:.1f}): p50 {r['p50']:.2f} p99 "
                    f"{r['p99']:.2f} max {r['max']:.2f} ms, full {r['full']:.1f} s",
                    flush=True,
                )
        for name, runs in results.items():
            if runs:
                print(line(name, runs))
    finally:
        await drop_database(url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=500)
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--compare", help="the src directory of the code to compare with")
    parser.add_argument(
        "--measure", nargs=2, metavar=("URL", "INSTITUTION"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.measure:
        url, institution = args.measure
        everyone = asyncio.run(_students(url))
        result = asyncio.run(
            measure(url, uuid.UUID(institution), everyone, args.samples, args.batch)
        )
        print(json.dumps(result))
        return
    asyncio.run(run(args))


async def _students(url: str) -> list[uuid.UUID]:
    engine = make_engine(url)
    async with engine.connect() as conn:
        rows = await conn.execute(sa.text("SELECT DISTINCT student_id FROM attendance_mark"))
        found = sorted((r[0] for r in rows), key=str)
    await engine.dispose()
    return found


if __name__ == "__main__":
    main()
