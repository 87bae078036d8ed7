"""Where an urgent announcement's commit goes, step by step, in one process (no sockets).

    uv run python -m bench.announce_steps [--guardians 10000 --rounds 3] [--explain]
    PYTHONPATH=../edtech-before/src uv run python -m bench.announce_steps   # another checkout

A throw-away PostgreSQL database with `bench.announce`'s school (the SMALL demo school plus
`--guardians` guardians), one app instance (`create_app`, memory broker, no background jobs) and
the real use case (`CreateAnnouncement`, the admin to the guardian role, urgent), as the REST
route runs it. Per round: the commit's wall time and this process's CPU (`time.process_time`),
the same for each step — the audience and its recipient rows, each sink's `stage` (the
notifications' and the outbox's), and the notifications' statements — and the ten slowest
statements with their durations as this process saw them (send to result, loopback: about
PostgreSQL's time). `--explain` also has PostgreSQL log each statement over 100 ms with its
plan and its triggers' times (`auto_explain`, the foreign-key checks) in the server's log.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import os
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

from bench import common
from bench.announce import seed
from edtech.app import create_app
from edtech.communication.application import AnnounceCommand, CreateAnnouncement, roster_directory
from edtech.communication.domain import Audience, AudienceKind, Priority
from edtech.institutions.public import acting_as, school_clock
from edtech.kernel.clock import SystemClock
from edtech.kernel.principal import Role
from edtech.settings import Settings

Steps = dict[str, list[tuple[float, float]]]


def timed(owner: Any, name: str, label: str, steps: Steps) -> None:
    """Wrap `owner.name` (a coroutine function) to add its wall and CPU time to `label`."""
    original: Callable[..., Awaitable[Any]] = getattr(owner, name)

    @functools.wraps(original)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return await original(*args, **kwargs)
        finally:
            took = (time.perf_counter() - wall, time.process_time() - cpu)
            steps.setdefault(label, []).append(took)

    setattr(owner, name, wrapper)


def instrument(steps: Steps) -> None:
    from edtech.communication.application import common as communication
    from edtech.communication.infrastructure import announcements
    from edtech.notifications import sink as notifications_sink
    from edtech.notifications.infrastructure import repository
    from edtech.platform.db import uow
    from edtech.platform.jobs import store
    from edtech.realtime import sink as realtime_sink

    timed(uow.UnitOfWork, "commit", "commit (flush, sinks, COMMIT)", steps)
    timed(communication, "publish_announcement", "audience + recipient rows", steps)
    timed(announcements.SqlAlchemyAnnouncements, "add_recipients", "  recipient rows", steps)
    timed(notifications_sink.NotificationSink, "stage", "notifications: stage", steps)
    for method in ("preferences", "mandatory", "add_batch", "add", "plan_attempts"):
        timed(repository.SqlNotifications, method, f"  notifications: {method}", steps)
    timed(store.SqlJobs, "defer_many", "  notifications: jobs (defer_many)", steps)
    timed(realtime_sink.OutboxSink, "stage", "outbox: stage", steps)


async def run(args: argparse.Namespace) -> None:
    print(f"{common.machine()}; load {os.getloadavg()}", flush=True)
    database = await common.create_database()
    steps: Steps = {}
    try:
        await seed(database, args.guardians, 0)
        name = database.rpartition("/")[2]
        if args.explain:
            for setting in (
                "session_preload_libraries = 'auto_explain'",
                "auto_explain.log_min_duration = 100",
                "auto_explain.log_analyze = on",
                "auto_explain.log_triggers = on",
            ):
                await common._admin(f'ALTER DATABASE "{name}" SET {setting}')
        settings = Settings(
            database_url=database,
            broker_url="memory://",
            secret_key="bench-secret-key-not-for-production-steps",
            log_level="ERROR",
            background_jobs=False,
            node_name="steps",
        )
        app = create_app(settings)
        instrument(steps)
        statements: list[tuple[float, str]] = []
        async with app.router.lifespan_context(app):
            services = app.state.services
            engine = services.engine.sync_engine

            @event.listens_for(engine, "before_cursor_execute")
            def started(conn: Any, *_: Any) -> None:
                conn.info["bench_started"] = time.perf_counter()

            @event.listens_for(engine, "after_cursor_execute")
            def finished(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
                took = time.perf_counter() - conn.info["bench_started"]
                statements.append((took, " ".join(statement.split())[:100]))

            clock = SystemClock()
            async with services.session_factory() as session:
                inst = (await session.execute(sa.text("SELECT id FROM institution"))).scalar()
                admin_id = (
                    await session.execute(
                        sa.text("SELECT id FROM person WHERE email = 'admin@demo.test'")
                    )
                ).scalar()
                today = (await school_clock(session, clock, inst)).today()
                admin = await acting_as(session, inst, admin_id, today)

            async def announce(title: str, role: Role, priority: Priority) -> None:
                use_case = CreateAnnouncement(services.uow(), clock, roster_directory(clock))
                audience = Audience(AudienceKind.ROLE, role=role)
                await use_case(admin, AnnounceCommand(title, "-", audience, priority))

            await announce("warm-up", Role.TEACHER, Priority.NORMAL)
            totals: list[tuple[float, float]] = []
            for n in range(args.rounds):
                await asyncio.sleep(args.settle)
                steps.clear()
                statements.clear()
                wall, cpu = time.perf_counter(), time.process_time()
                await announce(f"Urgent: closed ({n})", Role.GUARDIAN, Priority.URGENT)
                totals.append((time.perf_counter() - wall, time.process_time() - cpu))
                print(
                    f"round {n}: commit {totals[-1][0]:.3f} s, CPU {totals[-1][1]:.3f} s, "
                    f"{len(statements)} statements",
                    flush=True,
                )
                for label, took in steps.items():
                    print(
                        f"  {label:42} wall {sum(w for w, _ in took) * 1000:7.1f} ms"
                        f"  CPU {sum(c for _, c in took) * 1000:6.1f} ms",
                        flush=True,
                    )
                for lasted, text in sorted(statements, reverse=True)[:10]:
                    print(f"    {lasted * 1000:7.1f} ms  {text}", flush=True)
            print(
                f"median commit {statistics.median(w for w, _ in totals):.3f} s, "
                f"CPU {statistics.median(c for _, c in totals):.3f} s; "
                f"load {os.getloadavg()}",
                flush=True,
            )
    finally:
        await common.drop_database(database)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--guardians", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--settle", type=float, default=2.0, help="seconds before each round")
    parser.add_argument("--explain", action="store_true", help="auto_explain into the PG log")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
