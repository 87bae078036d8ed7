"""Durable background jobs on both dialects: deferred in the caller's transaction, run once,
retried with exponential backoff into the dead letter, never run twice by two nodes, scheduled,
and seen (and retried) over the admin view."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI

from edtech.app import create_app
from edtech.demo import DemoSummary
from edtech.jobs.prune import prune_jobs
from edtech.kernel.clock import FixedClock
from edtech.kernel.errors import ConflictError
from edtech.platform.db.uow import UnitOfWork
from edtech.platform.jobs import (
    Deferred,
    JobFunction,
    JobRunner,
    JobsFactory,
    Scheduled,
    SqlJobs,
    job_table,
    jobs_port,
)
from edtech.platform.jobs import store as job_store
from edtech.platform.services import Services
from edtech.settings import Settings
from tests import databases
from tests.roster import login

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


class Ledger:
    """What the test job functions did: executions per job argument, and which should fail."""

    def __init__(self) -> None:
        self.runs: Counter[str] = Counter()
        self.failures = 0

    async def record(self, _services: Services, args: Mapping[str, Any]) -> None:
        await asyncio.sleep(0.005)  # long enough for concurrent claims to overlap
        self.runs[str(args["key"])] += 1

    async def explode(self, _services: Services, args: Mapping[str, Any]) -> None:
        self.failures += 1
        raise RuntimeError(f"the printer is on fire ({args['key']})")


def functions(ledger: Ledger) -> list[JobFunction]:
    return [
        JobFunction("test.record", ledger.record),
        JobFunction("test.explode", ledger.explode, max_attempts=3, backoff=timedelta(seconds=10)),
    ]


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
async def node(settings: Settings, clock: FixedClock) -> AsyncIterator[Services]:
    app = create_app(settings, clock=clock)
    services: Services = app.state.services
    try:
        yield services
    finally:
        await services.engine.dispose()


async def defer(services: Services, name: str, key: str, **kw: Any) -> uuid.UUID | None:
    async with services.uow() as uow:
        job_id = await SqlJobs(uow.session, services.clock).defer(name, {"key": key}, **kw)
        await uow.commit()
    return job_id


async def states(services: Services) -> dict[str, str]:
    async with services.session_factory() as session:
        rows = (await session.execute(sa.select(job_table.c.args, job_table.c.state))).all()
    return {str(r.args.get("key")): r.state for r in rows}


async def drain(runner: JobRunner) -> int:
    total = 0
    while ran := await runner.run_once():
        total += ran
    return total


class RecordThing:
    """A use case in the one wiring shape `(uow, clock, jobs)`: it defers its follow-up in its
    own transaction, and refuses (raising before commit) when told to."""

    def __init__(self, uow: UnitOfWork, clock: FixedClock, jobs: JobsFactory) -> None:
        self.uow, self.clock, self.jobs = uow, clock, jobs

    async def __call__(self, key: str, *, refuse: bool = False) -> None:
        async with self.uow:
            await self.jobs(self.uow.session).defer("test.record", {"key": key})
            if refuse:
                raise ConflictError("refused after deferring")
            await self.uow.commit()


async def test_a_job_deferred_in_a_rolled_back_unit_of_work_never_runs(node: Services) -> None:
    ledger = Ledger()
    runner = JobRunner(node, functions(ledger))
    with pytest.raises(ConflictError):
        await RecordThing(node.uow(), node.clock, jobs_port(node))("lost", refuse=True)
    await RecordThing(node.uow(), node.clock, jobs_port(node))("kept")

    assert await drain(runner) == 1
    assert ledger.runs == Counter({"kept": 1})
    assert await states(node) == {"kept": "succeeded"}
    assert await drain(runner) == 0  # and never again


async def test_a_job_waits_for_its_time(node: Services, clock: FixedClock) -> None:
    ledger = Ledger()
    runner = JobRunner(node, functions(ledger))
    await defer(node, "test.record", "later", at=START + timedelta(minutes=5))
    assert await drain(runner) == 0
    clock.advance(timedelta(minutes=5))
    assert await drain(runner) == 1
    assert ledger.runs == Counter({"later": 1})


async def test_a_second_defer_with_the_same_lock_is_a_no_op_while_the_first_waits(
    node: Services, clock: FixedClock
) -> None:
    ledger = Ledger()
    runner = JobRunner(node, functions(ledger))
    assert await defer(node, "test.record", "a", lock="only-one") is not None
    assert await defer(node, "test.record", "b", lock="only-one") is None
    assert await drain(runner) == 1
    assert await defer(node, "test.record", "c", lock="only-one") is not None  # lock freed
    await drain(runner)
    assert ledger.runs == Counter({"a": 1, "c": 1})


async def test_a_failing_job_backs_off_exponentially_then_lands_in_the_dead_letter(
    node: Services, clock: FixedClock
) -> None:
    ledger = Ledger()
    runner = JobRunner(node, functions(ledger))
    await defer(node, "test.explode", "x")

    assert await runner.run_once() == 1  # attempt 1 fails: next in 10 s
    clock.advance(timedelta(seconds=9))
    assert await runner.run_once() == 0
    clock.advance(timedelta(seconds=1))
    assert await runner.run_once() == 1  # attempt 2 fails: next in 20 s
    clock.advance(timedelta(seconds=19))
    assert await runner.run_once() == 0
    clock.advance(timedelta(seconds=1))
    assert await runner.run_once() == 1  # attempt 3 of 3 fails: dead
    clock.advance(timedelta(days=1))
    assert await runner.run_once() == 0

    assert ledger.failures == 3
    async with node.session_factory() as session:
        row = (await session.execute(sa.select(job_table))).one()
    assert (row.state, row.attempts) == ("failed", 3)
    assert row.last_error == "RuntimeError: the printer is on fire (x)"


async def test_a_job_whose_node_vanished_is_taken_over_once_its_lease_runs_out(
    node: Services, clock: FixedClock
) -> None:
    ledger = Ledger()
    runner = JobRunner(node, functions(ledger))
    await defer(node, "test.record", "orphan")
    async with node.session_factory() as session:  # a node claims it, then dies
        [claimed] = await job_store.claim(session, "dead-node", clock.now(), 1, runner.lease)
    assert claimed.attempts == 1
    assert await runner.run_once() == 0  # still leased
    clock.advance(runner.lease + timedelta(seconds=1))
    assert await runner.run_once() == 1
    async with node.session_factory() as session:
        row = (await session.execute(sa.select(job_table))).one()
    assert (row.state, row.attempts, row.node) == ("succeeded", 2, node.node_name)
    assert ledger.runs == Counter({"orphan": 1})


def endless(*, letting_go: float = 0.0) -> tuple[asyncio.Event, JobFunction]:
    """`test.slow`: a job that runs until it is cancelled, then takes `letting_go` seconds to
    stop; and the event it sets once it started."""
    started, never = asyncio.Event(), asyncio.Event()

    async def run(_services: Services, _args: Mapping[str, Any]) -> None:
        started.set()
        try:
            await never.wait()
        finally:
            await asyncio.sleep(letting_go)

    return started, JobFunction("test.slow", run)


async def test_a_stopping_node_hands_its_job_back_without_counting_the_attempt(
    node: Services,
) -> None:
    started, slow = endless()
    runner = JobRunner(node, [slow])
    await defer(node, "test.slow", "s")
    task = asyncio.create_task(runner.run_once())
    await asyncio.wait_for(started.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    async with node.session_factory() as session:
        row = (await session.execute(sa.select(job_table))).one()
    assert (row.state, row.attempts, row.node) == ("queued", 0, None)


async def test_a_runner_whose_stop_is_cut_short_leaves_no_lease_beat_behind(
    node: Services,
) -> None:
    started, slow = endless(letting_go=0.2)  # its hand-back takes a while
    runner = JobRunner(node, [slow])
    await defer(node, "test.slow", "s")
    working = asyncio.create_task(runner.work())
    await asyncio.wait_for(started.wait(), 5)
    working.cancel()  # the node stops…
    await asyncio.sleep(0.05)
    working.cancel()  # …and cuts the wait for the hand-back short (its stop is bounded)
    with pytest.raises(asyncio.CancelledError):
        await working
    await asyncio.sleep(0)
    beats = [
        t
        for t in asyncio.all_tasks()
        if getattr(t.get_coro(), "__qualname__", "") == "JobRunner._keep_leases"
    ]
    assert beats == []
    for _ in range(50):  # the job's own hand-back still goes through
        if (await states(node)).get("s") == "queued":
            break
        await asyncio.sleep(0.1)
    assert (await states(node))["s"] == "queued"


async def test_succeeded_jobs_are_pruned_after_the_retention_and_failed_ones_kept(
    node: Services, clock: FixedClock
) -> None:
    ledger = Ledger()
    runner = JobRunner(node, functions(ledger))
    await defer(node, "test.record", "old")
    await defer(node, "test.explode", "dead")
    await runner.run_once()
    clock.advance(timedelta(days=1))
    await runner.run_once()
    clock.advance(timedelta(days=1))
    await runner.run_once()  # "dead" is now failed
    await defer(node, "test.record", "recent")
    await runner.run_once()
    retention = timedelta(seconds=node.settings.jobs_retention_seconds)
    clock.advance(retention - timedelta(days=1))

    assert await prune_jobs(node) == 1
    assert await states(node) == {"dead": "failed", "recent": "succeeded"}


async def test_a_job_nobody_declared_fails_instead_of_vanishing(
    node: Services, clock: FixedClock
) -> None:
    runner = JobRunner(node, [])
    await defer(node, "test.unknown", "u", max_attempts=1)
    assert await runner.run_once() == 1
    async with node.session_factory() as session:
        row = (await session.execute(sa.select(job_table))).one()
    assert row.state == "failed"
    assert "no job function named 'test.unknown'" in row.last_error


async def test_a_schedule_runs_on_one_node_every_interval(
    settings: Settings, clock: FixedClock
) -> None:
    ledger = Ledger()

    async def tick(services: Services) -> None:
        await ledger.record(services, {"key": "tick"})

    schedule = Scheduled("test.tick", timedelta(minutes=1), tick)
    first, second = create_app(settings, clock=clock), create_app(settings, clock=clock)
    nodes = [first.state.services, second.state.services]
    nodes[1].node_name = "second-node"
    runners = [JobRunner(services, schedules=[schedule]) for services in nodes]
    try:
        for runner in runners:  # both nodes start: one row for the schedule, not two
            await runner.ensure_schedules()
        async with nodes[0].session_factory() as session:
            assert await session.scalar(sa.select(sa.func.count()).select_from(job_table)) == 1

        assert sum([await r.run_once() for r in runners]) == 1  # due at start
        clock.advance(timedelta(seconds=59))
        assert sum([await r.run_once() for r in runners]) == 0
        clock.advance(timedelta(seconds=1))
        assert sum([await r.run_once() for r in runners]) == 1
        clock.advance(timedelta(minutes=1))
        assert sum([await r.run_once() for r in runners]) == 1
        assert ledger.runs == Counter({"tick": 3})
    finally:
        for services in nodes:
            await services.engine.dispose()


async def test_a_cron_schedule_runs_at_its_times_in_utc(node: Services, clock: FixedClock) -> None:
    ledger = Ledger()

    async def morning(services: Services) -> None:
        await ledger.record(services, {"key": "morning"})

    runner = JobRunner(
        node, schedules=[Scheduled("test.morning", None, morning, cron="30 8 * * *")]
    )
    await runner.ensure_schedules()  # START is 08:00 UTC: the first run is at 08:30, not now
    assert await runner.run_once() == 0
    clock.advance(timedelta(minutes=30))
    assert await runner.run_once() == 1
    clock.advance(timedelta(hours=23, minutes=59))
    assert await runner.run_once() == 0
    clock.advance(timedelta(minutes=1))
    assert await runner.run_once() == 1
    assert ledger.runs == Counter({"morning": 2})
    async with node.session_factory() as session:
        queued = await session.scalar(
            sa.select(job_table.c.run_at).where(job_table.c.state == "queued")
        )
    assert queued == START + timedelta(days=2, minutes=30)


@pytest.mark.postgres
async def test_two_nodes_on_one_database_never_run_the_same_job_twice(
    postgres_database: str,
) -> None:
    await databases.truncate_all(postgres_database)
    settings = Settings(
        database_url=postgres_database,
        secret_key="test-secret-key-not-for-production",
        log_level="WARNING",
        log_json=True,
        background_jobs=False,
        jobs_concurrency=5,
    )
    ledger = Ledger()
    apps = [create_app(settings), create_app(settings)]
    nodes = [app.state.services for app in apps]
    nodes[0].node_name, nodes[1].node_name = "node-a", "node-b"
    runners = [JobRunner(services, functions(ledger)) for services in nodes]
    try:
        keys = [f"k{i}" for i in range(60)]
        for key in keys:
            await defer(nodes[0], "test.record", key)
        done = await asyncio.gather(*(drain(runner) for runner in runners))
        assert sum(done) == len(keys)
        assert ledger.runs == Counter(dict.fromkeys(keys, 1))
        assert set((await states(nodes[0])).values()) == {"succeeded"}
        async with nodes[0].session_factory() as session:
            ran_on = set(await session.scalars(sa.select(job_table.c.node).distinct()))
        assert ran_on <= {"node-a", "node-b"}
    finally:
        for services in nodes:
            await services.engine.dispose()


# -- the admin view ---------------------------------------------------------------------------


@pytest.fixture
def app(settings: Settings, clock: FixedClock) -> FastAPI:
    # The demo's tokens must stay valid under the test's clock: start it at the real now.
    clock.advance(datetime.now(UTC) - START)
    return create_app(settings, clock=clock)


async def test_the_dead_letter_is_seen_and_retried_by_the_institution_admin(
    app: FastAPI, client: httpx.AsyncClient, demo: DemoSummary, clock: FixedClock
) -> None:
    services: Services = app.state.services
    ledger = Ledger()
    runner = JobRunner(services, functions(ledger))
    ours = await defer(services, "test.explode", "ours", institution_id=demo.institution_id)
    await defer(services, "test.explode", "elsewhere", institution_id=uuid.uuid4())
    await defer(services, "test.record", "fine", institution_id=demo.institution_id)
    for _ in range(3):
        await runner.run_once()
        clock.advance(timedelta(minutes=1))

    admin = await login(client, "admin@demo.test")
    r = await client.get("/api/v1/jobs", params={"state": "failed"}, headers=admin)
    assert r.status_code == 200, r.text
    page = r.json()
    assert [(j["id"], j["name"], j["attempts"]) for j in page["items"]] == [
        (str(ours), "test.explode", 3)
    ]  # not the other institution's
    assert page["items"][0]["last_error"] == "RuntimeError: the printer is on fire (ours)"
    r = await client.get("/api/v1/jobs", params={"state": "succeeded"}, headers=admin)
    assert [j["args"] for j in r.json()["items"]] == [{"key": "fine"}]

    r = await client.post(f"/api/v1/jobs/{ours}/retry", headers=admin)
    assert r.status_code == 200, r.text
    assert (r.json()["state"], r.json()["attempts"]) == ("queued", 0)
    r = await client.post(f"/api/v1/jobs/{ours}/retry", headers=admin)
    assert r.status_code == 409
    assert r.headers["content-type"].startswith("application/problem+json")
    assert await runner.run_once() == 1
    assert ledger.failures == 3 * 2 + 1  # both dead jobs' three attempts, and the retry's first


async def test_the_admin_view_refuses_others_and_bad_input(
    client: httpx.AsyncClient, demo: DemoSummary
) -> None:
    teacher = await login(client, "teacher1@demo.test")
    r = await client.get("/api/v1/jobs", headers=teacher)
    assert r.status_code == 403
    assert r.headers["content-type"].startswith("application/problem+json")
    admin = await login(client, "admin@demo.test")
    for params in ({"state": "sleeping"}, {"limit": "0"}, {"offset": "-1"}):
        r = await client.get("/api/v1/jobs", params=params, headers=admin)
        assert r.status_code == 422, params
        assert r.headers["content-type"].startswith("application/problem+json")
    r = await client.post("/api/v1/jobs/not-a-uuid/retry", headers=admin)
    assert r.status_code == 422
    r = await client.post(f"/api/v1/jobs/{uuid.uuid4()}/retry", headers=admin)
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")
    assert (await client.get("/api/v1/jobs")).status_code == 401


async def test_defer_many_queues_them_in_one_statement_and_skips_a_taken_lock(
    node: Services, clock: FixedClock
) -> None:
    ledger = Ledger()
    runner = JobRunner(node, functions(ledger))
    assert await defer(node, "test.record", "first", lock="taken") is not None
    async with node.uow() as uow:
        await SqlJobs(uow.session, node.clock).defer_many(
            [
                Deferred("test.record", {"key": "now"}, lock="free"),
                Deferred("test.record", {"key": "later"}, at=START + timedelta(minutes=5)),
                Deferred("test.record", {"key": "second"}, lock="taken"),
            ]
        )
        await uow.commit()
    assert await drain(runner) == 2
    assert ledger.runs == Counter({"first": 1, "now": 1})
    clock.advance(timedelta(minutes=5))
    assert await drain(runner) == 1
    assert ledger.runs == Counter({"first": 1, "now": 1, "later": 1})
    assert "second" not in await states(node)


# -- leases -----------------------------------------------------------------------------------


async def test_a_job_longer_than_its_lease_is_kept_by_its_live_node_and_a_dead_nodes_is_retaken(
    postgres_database: str,
) -> None:
    """Lease 1 s: a job of 2.5 s on node a is not taken over by node b polling all along (a's
    runner extends the lease while the job runs); a job claimed by a node that then died is
    run by node b once its lease ran out."""
    await databases.truncate_all(postgres_database)
    settings = Settings(
        database_url=postgres_database,
        secret_key="test-secret-key-not-for-production",
        log_level="WARNING",
        log_json=True,
        background_jobs=False,
        jobs_lease_seconds=1,
    )
    runs: Counter[str] = Counter()
    started = asyncio.Event()

    async def long(_services: Services, args: Mapping[str, Any]) -> None:
        runs[str(args["key"])] += 1
        started.set()
        await asyncio.sleep(2.5)

    apps = [create_app(settings), create_app(settings)]
    a, b = (app.state.services for app in apps)
    a.node_name, b.node_name = "node-a", "node-b"
    runner_a, runner_b = (JobRunner(n, [JobFunction("test.long", long)]) for n in (a, b))
    stop = asyncio.Event()
    try:
        await defer(a, "test.long", "long")
        working = asyncio.create_task(runner_a.work(stop))
        await asyncio.wait_for(started.wait(), 5)
        stop.set()  # a finishes what it holds, claims nothing more
        taken_by_b = 0
        while not working.done():  # b polls for the whole 2.5 s, over two leases
            taken_by_b += await runner_b.run_once()
            await asyncio.sleep(0.1)
        assert await working == 1
        assert taken_by_b == 0
        assert runs == Counter({"long": 1})
        async with a.session_factory() as session:
            row = (await session.execute(sa.select(job_table))).one()
        assert (row.state, row.attempts, row.node) == ("succeeded", 1, "node-a")

        # A node claims a job and dies (nothing extends its lease): b runs it after the lease.
        await defer(a, "test.long", "orphan")
        async with a.session_factory() as session:
            [claimed] = await job_store.claim(
                session, "dead-node", a.clock.now(), 1, runner_a.lease
            )
        assert await runner_b.run_once() == 0  # still leased
        await asyncio.sleep(1.2)
        assert await runner_b.run_once() == 1
        assert runs == Counter({"long": 1, "orphan": 1})
        async with b.session_factory() as session:
            row = (
                await session.execute(sa.select(job_table).where(job_table.c.id == claimed.id))
            ).one()
        assert (row.id, row.state, row.attempts, row.node) == (claimed.id, "succeeded", 2, "node-b")
    finally:
        stop.set()
        for services in (a, b):
            await services.engine.dispose()


async def test_work_runs_everything_due_and_returns_once_stopped(node: Services) -> None:
    """The continuous loop (what `run` does on a node): claims as slots free up, runs each job
    once, and on `stop` lets the jobs in flight finish."""
    ledger = Ledger()
    runner = JobRunner(node, functions(ledger))
    runner.poll_seconds = 0.01
    keys = [f"w{i}" for i in range(12)]
    for key in keys:
        await defer(node, "test.record", key)
    stop = asyncio.Event()
    working = asyncio.create_task(runner.work(stop))
    while sum(ledger.runs.values()) < len(keys):
        await asyncio.sleep(0.01)
    stop.set()
    assert await asyncio.wait_for(working, 5) == len(keys)
    assert ledger.runs == Counter(dict.fromkeys(keys, 1))
    assert set((await states(node)).values()) == {"succeeded"}


async def test_a_claim_takes_no_more_jobs_than_its_limit(node: Services, clock: FixedClock) -> None:
    """PostgreSQL may run an `IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)` subquery more than
    once in one UPDATE, each run skipping the rows the last one locked: a node asked for 16
    jobs got 188 in the notifications benchmark, and ran them all at once on a pool of 40
    connections. The candidates are taken once (a materialized CTE)."""
    async with node.uow() as uow:
        await SqlJobs(uow.session, node.clock).defer_many(
            [
                Deferred("test.record", {"key": str(n), "ids": [str(uuid.uuid4())] * 50})
                for n in range(200)
            ]
        )
        await uow.commit()
    async with node.session_factory() as session:
        claimed = await job_store.claim(session, "one", clock.now(), 16, timedelta(minutes=10))
    assert len(claimed) == 16
    async with node.session_factory() as session:
        running = await session.scalar(
            sa.select(sa.func.count()).select_from(job_table).where(job_table.c.state == "running")
        )
    assert running == 16


def gathered(waiting: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    return {"key": "+".join(sorted({*waiting["key"].split("+"), *new["key"].split("+")}))}


async def gather(services: Services, key: str) -> uuid.UUID:
    async with services.uow() as uow:
        job_id = await SqlJobs(uow.session, services.clock).defer_coalesced(
            "test.gather", {"key": key}, lock="gather", merge=gathered
        )
        await uow.commit()
    return job_id


async def test_coalesced_work_merges_while_its_job_waits_and_queues_anew_once_it_runs(
    node: Services,
) -> None:
    """A coalescing function's lock holds only while its job waits: work deferred then is
    merged into it; work deferred while it runs (it may have read too early to see it) is a
    job of its own. A plain function's lock still holds while its job runs."""
    ledger = Ledger()
    running, release = asyncio.Event(), asyncio.Event()

    async def slow(services: Services, args: Mapping[str, Any]) -> None:
        running.set()
        await release.wait()
        await ledger.record(services, args)

    runner = JobRunner(
        node,
        [
            *functions(ledger),
            JobFunction("test.gather", slow, coalescing=True),
            JobFunction("test.held", slow),
        ],
    )
    first = await gather(node, "a")
    assert await gather(node, "b") == first  # merged: one job for both
    assert await defer(node, "test.held", "h", lock="held") is not None
    work = asyncio.create_task(runner.run_once())
    await asyncio.wait_for(running.wait(), 10)
    async with node.session_factory() as session:
        locks = dict((await session.execute(sa.select(job_table.c.name, job_table.c.lock))).all())
    assert locks == {"test.gather": None, "test.held": "held"}  # let go as it started, held
    assert await defer(node, "test.held", "h2", lock="held") is None
    later = await gather(node, "c")
    assert later != first
    assert await gather(node, "d") == later
    release.set()
    assert await asyncio.wait_for(work, 10) == 2
    await drain(runner)
    assert ledger.runs == Counter({"a+b": 1, "h": 1, "c+d": 1})
