"""Benchmark: recompute students' early-warning signals on PostgreSQL.

A throw-away PostgreSQL database (migrated) gets the demo roster at the chosen scale and a year
of attendance written straight into its tables: every section meets once a school day for
`--days` weekdays, each session closed, each student marked present (or, at random with a fixed
seed, absent 6 % / excused 2 % / tardy 3 %). Then, in this process, through the real use case
(`RecomputeSignals`: its unit of work, the set-based attendance read
`attendance.public.absence_summaries`, the signals' multi-row upsert and locked read, the
commit):

* one student after a mark change — `--samples` students one at a time: p50 / p99 / max;
* a full recompute of every student, `--batch` students per transaction: total seconds.

    uv run python -m bench.insights_recompute --students 500 --days 180
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
import uuid
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from bench.common import create_database, drop_database, machine, percentile
from edtech.attendance.infrastructure.tables import attendance_mark, attendance_session
from edtech.demo import DemoScale, seed_demo
from edtech.insights.application.recompute_signals import RecomputeSignals
from edtech.institutions.public import sections_of_institution, students_of_section
from edtech.kernel.clock import SystemClock
from edtech.platform.db.engine import make_engine, make_session_factory
from edtech.platform.db.uow import UnitOfWork


def school_days(last: date, n: int) -> list[date]:
    days: list[date] = []
    day = last
    while len(days) < n:
        if day.weekday() < 5:
            days.append(day)
        day -= timedelta(days=1)
    return sorted(days)


def category(rng: random.Random) -> str:
    x = rng.random()
    if x < 0.06:
        return "absent"
    if x < 0.08:
        return "excused_absence"
    if x < 0.11:
        return "tardy"
    return "present"


async def seed(url: str, students: int, days: int) -> tuple[uuid.UUID, list[uuid.UUID], int]:
    """The roster and a year of closed sessions with marks; returns the institution, the
    students with marks and how many marks were written."""
    engine = make_engine(url)
    factory = make_session_factory(engine)
    sections = max(students // 25, 2)
    summary = await seed_demo(
        factory,
        scale=DemoScale(
            sections=sections, students=students, teachers=sections, second_guardians=0
        ),
    )
    institution = summary.institution_id
    today = datetime.now(UTC).date()
    rng = random.Random(18)
    marked: set[uuid.UUID] = set()
    written = 0
    async with factory() as session:
        pairs = await sections_of_institution(session, institution)
        roster = {
            sec: await students_of_section(session, institution, sec, today) for sec, _ in pairs
        }
        schools = dict((await session.execute(sa.text("SELECT id, school_id FROM section"))).all())
    for sec, members in roster.items():
        if not members:
            continue
        sessions, marks = [], []
        for day in school_days(today - timedelta(days=1), days):
            starts = datetime(day.year, day.month, day.day, 13, 0, tzinfo=UTC)
            sid = uuid.uuid4()
            sessions.append(
                {
                    "id": sid,
                    "institution_id": institution,
                    "school_id": schools[sec],
                    "section_id": sec,
                    "kind": "period",
                    "day": day,
                    "opens_at": starts - timedelta(minutes=10),
                    "starts_at": starts,
                    "ends_at": starts + timedelta(minutes=45),
                    "closes_at": starts + timedelta(minutes=45),
                    "grace_minutes": 5,
                    "late_cutoff_minutes": 30,
                    "state": "closed",
                    "closed_at": starts + timedelta(minutes=45),
                    "version": 1,
                }
            )
            for student in members:
                c = category(rng)
                marks.append(
                    {
                        "id": uuid.uuid4(),
                        "institution_id": institution,
                        "session_id": sid,
                        "student_id": student,
                        "category": c,
                        "minutes_late": 7 if c == "tardy" else None,
                        "version": 1,
                    }
                )
                marked.add(student)
        async with factory() as session:
            await session.execute(attendance_session.insert(), sessions)
            for i in range(0, len(marks), 5000):
                await session.execute(attendance_mark.insert(), marks[i : i + 5000])
            await session.commit()
        written += len(marks)
    await engine.dispose()
    return institution, sorted(marked), written


async def run(students: int, days: int, samples: int, batch: int) -> None:
    url = await create_database()
    try:
        t0 = time.perf_counter()
        institution, everyone, marks = await seed(url, students, days)
        print(f"seeded {len(everyone)} students, {marks} marks in {time.perf_counter() - t0:.1f} s")
        engine = make_engine(url)
        async with engine.connect() as conn:
            # Fresh tables have no statistics: a production database has been analysed (the
            # planner otherwise takes 14,400 sessions for 18 and loops over them per student).
            await conn.execute(sa.text("ANALYZE"))
            await conn.commit()
        factory = make_session_factory(engine)
        clock = SystemClock()

        def recompute() -> RecomputeSignals:
            return RecomputeSignals(UnitOfWork(factory), clock)

        # Warm-up: the first recompute creates each sampled student's row (the upsert path).
        rng = random.Random(7)
        sample = rng.sample(everyone, min(samples, len(everyone)))
        await recompute()(institution, sample[:5])
        timings = []
        for student in sample:
            t = time.perf_counter()
            await recompute()(institution, [student])
            timings.append(1000 * (time.perf_counter() - t))
        t = time.perf_counter()
        for i in range(0, len(everyone), batch):
            await recompute()(institution, everyone[i : i + batch])
        full = time.perf_counter() - t
        await engine.dispose()
        print(machine())
        print(
            f"one student ({len(timings)} samples): p50 {statistics.median(timings):.2f} ms, "
            f"p99 {percentile(timings, 0.99):.2f} ms, max {max(timings):.2f} ms"
        )
        print(
            f"full recompute of {len(everyone)} students ({batch} per transaction): {full:.1f} s "
            f"({1000 * full / len(everyone):.2f} ms per student)"
        )
    finally:
        await drop_database(url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=500)
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--batch", type=int, default=200)
    args = parser.parse_args()
    asyncio.run(run(args.students, args.days, args.samples, args.batch))


if __name__ == "__main__":
    main()
