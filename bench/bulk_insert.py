"""Micro-benchmark: an announcement's bulk rows inserted by executemany vs `insert_many`.

    uv run python -m bench.bulk_insert [--rows 10000 --rounds 5]

A throw-away PostgreSQL database (migrated, SMALL demo school plus `--rows` people). Per round,
in one transaction each (rolled back), alternating the two ways: `--rows` jobs (the
notification rungs' `job` rows, JSON args) and `--rows` notification rows (ON CONFLICT DO
NOTHING RETURNING id), as `PlanNotifications` writes them for an urgent announcement. Reported
per way, medians over rounds: this process's CPU (`time.process_time`: binding and encoding)
and the wall time of the transaction.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession

from bench import common
from edtech.demo import SMALL, seed_demo
from edtech.institutions.infrastructure.tables import person
from edtech.kernel.ids import new_id
from edtech.notifications.infrastructure import notification
from edtech.platform.db.bulk import insert_many
from edtech.platform.db.engine import make_engine, make_session_factory
from edtech.platform.jobs.table import job_table

CONFLICT = ("person_id", "event_type", "source_key")


def job_rows(n: int, inst: uuid.UUID, now: datetime) -> list[dict[str, Any]]:
    return [
        {
            "id": new_id(),
            "name": "notifications.rung",
            "args": {"notification_id": str(uuid.uuid4()), "channel": "email", "unless": "read"},
            "state": "queued",
            "attempts": 0,
            "max_attempts": 5,
            "run_at": now,
            "lock": f"notify:{uuid.uuid4()}:email",
            "institution_id": inst,
            "created_at": now,
        }
        for _ in range(n)
    ]


def notification_rows(
    people: list[uuid.UUID], inst: uuid.UUID, now: datetime
) -> list[dict[str, Any]]:
    key = str(uuid.uuid4())
    return [
        {
            "id": new_id(),
            "institution_id": inst,
            "person_id": p,
            "category": "urgent_announcement",
            "event_type": "announcement.published",
            "source_key": key,
            "batch_id": None,
            "subject_id": None,
            "title": "Urgent: school closed today",
            "body": "The district closes every school today because of the storm.",
            "created_at": now,
            "digest_day": None,
        }
        for p in people
    ]


async def executemany(session: AsyncSession, jobs: list[Any], notes: list[Any]) -> None:
    await session.execute(postgresql.insert(job_table).on_conflict_do_nothing(), jobs)
    stmt = postgresql.insert(notification).on_conflict_do_nothing(index_elements=list(CONFLICT))
    list((await session.execute(stmt.returning(notification.c.id), notes)).scalars())


async def arrays(session: AsyncSession, jobs: list[Any], notes: list[Any]) -> None:
    await insert_many(session, job_table, jobs, skip_conflicts_on=())
    await insert_many(session, notification, notes, skip_conflicts_on=CONFLICT, returning="id")


async def run(args: argparse.Namespace) -> dict[str, Any]:
    url = await common.create_database()
    engine = make_engine(url)
    try:
        factory = make_session_factory(engine)
        demo = await seed_demo(factory, SMALL)
        inst, now = demo.institution_id, datetime.now(UTC)
        people = [uuid.uuid4() for _ in range(args.rows)]
        async with factory() as session, session.begin():
            await insert_many(
                session,
                person,
                [
                    {
                        "id": p,
                        "institution_id": inst,
                        "given_name": "G",
                        "family_name": str(i),
                        "created_at": now,
                    }
                    for i, p in enumerate(people)
                ],
            )
        ways: dict[str, Callable[[AsyncSession, list[Any], list[Any]], Awaitable[None]]] = {
            "executemany": executemany,
            "insert_many": arrays,
        }
        cpu: dict[str, list[float]] = {w: [] for w in ways}
        wall: dict[str, list[float]] = {w: [] for w in ways}
        for _ in range(args.rounds + 1):  # the first round warms both up, not counted
            for name, way in ways.items():
                jobs, notes = job_rows(args.rows, inst, now), notification_rows(people, inst, now)
                async with factory() as session:
                    await session.execute(sa.text("SELECT 1"))
                    c0, w0 = time.process_time(), time.perf_counter()
                    await way(session, jobs, notes)
                    c1, w1 = time.process_time(), time.perf_counter()
                    await session.rollback()
                cpu[name].append(c1 - c0)
                wall[name].append(w1 - w0)
        result = {
            "rows": args.rows,
            "load": os.getloadavg(),
            **{f"{w}_cpu_ms": round(1000 * statistics.median(cpu[w][1:]), 1) for w in ways},
            **{f"{w}_wall_ms": round(1000 * statistics.median(wall[w][1:]), 1) for w in ways},
            "rounds_cpu_ms": {w: [round(1000 * x) for x in cpu[w][1:]] for w in ways},
        }
        return result
    finally:
        await engine.dispose()
        await common.drop_database(url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    print(json.dumps(asyncio.run(run(parser.parse_args()))))


if __name__ == "__main__":
    main()
