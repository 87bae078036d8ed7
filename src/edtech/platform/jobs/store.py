"""The job table's statements: defer (inside the caller's transaction), claim, finish, retry."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.kernel.clock import Clock, SystemClock
from edtech.kernel.ids import new_id
from edtech.kernel.jobs import Jobs
from edtech.platform.db.bulk import Rows, insert_rows
from edtech.platform.jobs.table import job_table
from edtech.platform.services import Services

MAX_BACKOFF = timedelta(hours=1)
MAX_ERROR_CHARS = 4000


class JobState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


JobsFactory = Callable[[AsyncSession], Jobs]
"""The jobs port in the roster port's shape: a use case binds it to `uow.session`."""


def jobs_port(services: Services) -> JobsFactory:
    """The port a route passes to `use_case(cls, ..., jobs_port)`; the use case then does
    `await self.jobs(self.uow.session).defer(...)` before it commits."""
    return lambda session: SqlJobs(session, services.clock)


class SqlJobs:
    """The `Jobs` port (`edtech.kernel.jobs`) on a session: `defer` writes the job in the
    session's transaction, so it exists exactly when the caller's change commits."""

    def __init__(self, session: AsyncSession, clock: Clock | None = None) -> None:
        self.session = session
        self.clock = clock or SystemClock()

    async def defer(
        self,
        name: str,
        args: Mapping[str, Any] | None = None,
        *,
        at: datetime | None = None,
        lock: str | None = None,
        institution_id: uuid.UUID | None = None,
        max_attempts: int = 5,
    ) -> uuid.UUID | None:
        """Queue `name(args)` to run at `at` (default: now). With a `lock`, nothing is queued
        while another job with that lock is queued or running: returns None then. Once a node
        runs it, the declared function's `max_attempts` governs; this one only stands for a name
        no node declares."""
        now = self.clock.now()
        values = {
            "id": new_id(),
            "name": name,
            "args": dict(args or {}),
            "state": JobState.QUEUED.value,
            "attempts": 0,
            "max_attempts": max_attempts,
            "run_at": at or now,
            "lock": lock,
            "institution_id": institution_id,
            "created_at": now,
        }
        dialect = self.session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        # ON CONFLICT DO NOTHING: a duplicate lock must not abort the caller's transaction.
        stmt = insert(job_table).values(**values).on_conflict_do_nothing()
        inserted: uuid.UUID | None = await self.session.scalar(stmt.returning(job_table.c.id))
        return inserted

    async def defer_coalesced(
        self,
        name: str,
        args: Mapping[str, Any],
        *,
        lock: str,
        merge: Callable[[Mapping[str, Any], Mapping[str, Any]], dict[str, Any]],
        institution_id: uuid.UUID | None = None,
    ) -> uuid.UUID:
        """Queue `name(args)` for now, or, while a job with `lock` waits, merge `args` into
        its arguments (`merge(waiting, new)`) instead: a burst of work becomes one job. For a
        `coalescing` function's jobs: their lock goes when they start, so work deferred while
        one runs queues anew.

        The waiting job is locked until the caller commits (a node's claim skips it, so it never
        starts without this work); concurrent callers with the same lock take turns. Returns
        the job's id."""
        for _ in range(3):
            row = (await self.session.execute(_WAITING, {"lock": lock})).one_or_none()
            if row is not None:
                merged = merge(dict(row.args), args)
                await self.session.execute(_MERGE, {"job_id": row.id, "merged": merged})
                waiting_id: uuid.UUID = row.id
                return waiting_id
            job_id = await self.defer(name, args, lock=lock, institution_id=institution_id)
            if job_id is not None:
                return job_id
            # another caller queued one between our look and our insert: merge into it
        # taken each time (a node that does not know the function as coalescing runs it with
        # its lock held): queue one of our own rather than lose the work
        unlocked = await self.defer(name, args, institution_id=institution_id)
        assert unlocked is not None
        return unlocked

    async def defer_many(self, jobs: Sequence[Deferred]) -> None:
        """`defer` each job, in one statement (a planner queueing thousands of jobs at once).
        A job whose lock is taken is skipped, as `defer` skips it; which ones were is not
        reported."""
        rows = self.rows(jobs)
        if len(rows):
            await insert_rows(self.session, rows)

    def rows(self, jobs: Sequence[Deferred]) -> Rows:
        """The rows `defer_many` inserts, for a caller that inserts them in a statement of its
        own (`insert_together`): a job whose lock is taken skipped."""
        now = self.clock.now()
        return Rows(
            job_table,
            {
                "id": [new_id() for _ in jobs],
                "name": [job.name for job in jobs],
                "args": [dict(job.args or {}) for job in jobs],
                "max_attempts": [job.max_attempts for job in jobs],
                "run_at": [job.at or now for job in jobs],
                "lock": [job.lock for job in jobs],
                "institution_id": [job.institution_id for job in jobs],
            },
            {"state": JobState.QUEUED.value, "attempts": 0, "created_at": now},
            skip_conflicts_on=(),
        )


# A coalescing job waiting for more work, and the merge into it: built once (a class's
# publication coalesces its insights recompute into the waiting job on the hot path).
_WAITING = (
    sa.select(job_table.c.id, job_table.c.args)
    .where(
        job_table.c.lock == sa.bindparam("lock", type_=job_table.c.lock.type),
        job_table.c.state == JobState.QUEUED.value,
    )
    .with_for_update()
)
_MERGE = (
    sa.update(job_table)
    .where(job_table.c.id == sa.bindparam("job_id", type_=job_table.c.id.type))
    .values(args=sa.bindparam("merged", type_=job_table.c.args.type))
)


@dataclass(frozen=True)
class Deferred:
    """One job for `SqlJobs.defer_many`: the arguments of `SqlJobs.defer`."""

    name: str
    args: Mapping[str, Any] | None = None
    at: datetime | None = None
    lock: str | None = None
    institution_id: uuid.UUID | None = None
    max_attempts: int = 5


@dataclass(frozen=True)
class ClaimedJob:
    id: uuid.UUID
    name: str
    args: dict[str, Any]
    attempts: int
    max_attempts: int
    lock: str | None


async def claim(
    session: AsyncSession,
    node: str,
    now: datetime,
    limit: int,
    lease: timedelta,
    coalescing: Collection[str] = (),
) -> list[ClaimedJob]:
    """Take up to `limit` due jobs for `node` and commit: queued ones whose time has come, and
    running ones whose node's lease ran out (it died mid-job). On PostgreSQL the candidates
    are locked with SKIP LOCKED, so concurrent nodes each get different jobs; the outer
    condition re-checks the state, so a job is never claimed twice on either dialect. The
    jobs of `coalescing` functions let their lock go as they start (`JobFunction`)."""
    due = sa.or_(
        sa.and_(job_table.c.state == JobState.QUEUED.value, job_table.c.run_at <= now),
        sa.and_(job_table.c.state == JobState.RUNNING.value, job_table.c.lease_until < now),
    )
    # An idle poll only reads: no write lock taken every second (SQLite has one writer).
    if await session.scalar(sa.select(job_table.c.id).where(due).limit(1)) is None:
        await session.rollback()
        return []
    candidates = (
        sa.select(job_table.c.id)
        .where(due)
        # Ties in time go in id order (UUIDv7: the order they were deferred in), so a planner
        # that defers its first rungs before its second ones has them run first.
        .order_by(job_table.c.run_at, job_table.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        # Taken once: PostgreSQL may run an `IN (subquery)` again for each row it updates, and
        # each run skips the rows the last one locked — a claim of 16 took all 188 due jobs.
        .cte("candidates")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    started: dict[str, Any] = {
        "state": JobState.RUNNING.value,
        "node": node,
        "attempts": job_table.c.attempts + 1,
        "started_at": now,
        "lease_until": now + lease,
    }
    if coalescing:
        started["lock"] = sa.case(
            (job_table.c.name.in_(list(coalescing)), None), else_=job_table.c.lock
        )
    stmt = (
        sa.update(job_table)
        .where(job_table.c.id.in_(sa.select(candidates.c.id)), due)
        .values(**started)
        .returning(
            job_table.c.id,
            job_table.c.name,
            job_table.c.args,
            job_table.c.attempts,
            job_table.c.max_attempts,
            job_table.c.lock,
        )
    )
    rows = (await session.execute(stmt)).all()
    await session.commit()
    return [
        ClaimedJob(r.id, r.name, dict(r.args), r.attempts, r.max_attempts, r.lock) for r in rows
    ]


async def extend(
    session: AsyncSession, job_ids: Sequence[uuid.UUID], node: str, until: datetime
) -> int:
    """Move the lease of the jobs `node` still holds to `until` (one statement, in the
    caller's transaction); a job already taken over by another node keeps its new owner's
    lease. Returns how many were extended."""
    if not job_ids:
        return 0
    result = await session.execute(
        sa.update(job_table)
        .where(
            job_table.c.id.in_(list(job_ids)),
            job_table.c.state == JobState.RUNNING.value,
            job_table.c.node == node,
        )
        .values(lease_until=until)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def succeed(session: AsyncSession, job_id: uuid.UUID, node: str, now: datetime) -> bool:
    """Mark a job this node holds as done (False if its lease was lost to another node)."""
    result = await session.execute(
        sa.update(job_table)
        .where(_held(job_id, node))
        .values(state=JobState.SUCCEEDED.value, finished_at=now, lease_until=None, last_error=None)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def fail(
    session: AsyncSession,
    job: ClaimedJob,
    node: str,
    now: datetime,
    error: str,
    backoff: timedelta,
    max_attempts: int,
) -> JobState | None:
    """Record a failed attempt: queued again after `backoff` × 2^(attempt−1), or `failed` (the
    dead letter) after `max_attempts`. Returns the new state (None if the lease was lost)."""
    if job.attempts < max_attempts:
        wait = min(backoff * 2 ** (job.attempts - 1), MAX_BACKOFF)
        values: dict[str, Any] = {"state": JobState.QUEUED.value, "run_at": now + wait}
        state = JobState.QUEUED
    else:
        values = {"state": JobState.FAILED.value, "finished_at": now}
        state = JobState.FAILED
    result = await session.execute(
        sa.update(job_table)
        .where(_held(job.id, node))
        .values(
            lease_until=None,
            last_error=error[:MAX_ERROR_CHARS],
            max_attempts=max_attempts,
            **values,
        )
    )
    return state if result.rowcount else None  # type: ignore[attr-defined]


async def release(session: AsyncSession, job: ClaimedJob, node: str, now: datetime) -> None:
    """Give a job back unrun (the node is stopping): queued again at once, attempt not counted."""
    await session.execute(
        sa.update(job_table)
        .where(_held(job.id, node))
        .values(
            state=JobState.QUEUED.value,
            run_at=now,
            attempts=job_table.c.attempts - 1,
            lease_until=None,
            node=None,
        )
    )


def _held(job_id: uuid.UUID, node: str) -> sa.ColumnElement[bool]:
    return sa.and_(
        job_table.c.id == job_id,
        job_table.c.state == JobState.RUNNING.value,
        job_table.c.node == node,
    )


async def prune_succeeded(session: AsyncSession, before: datetime) -> int:
    """Delete succeeded jobs that finished before `before`; failed ones stay (the dead letter
    is for people to read and retry). Returns how many went."""
    result = await session.execute(
        sa.delete(job_table).where(
            job_table.c.state == JobState.SUCCEEDED.value, job_table.c.finished_at < before
        )
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def retry_failed(session: AsyncSession, job_id: uuid.UUID, now: datetime) -> bool:
    """Queue a dead job again for now with a fresh set of attempts (False if it is not failed,
    or its lock is taken by a newer queued or running job)."""
    row = (
        await session.execute(
            sa.select(job_table.c.state, job_table.c.lock).where(job_table.c.id == job_id)
        )
    ).one_or_none()
    if row is None or row.state != JobState.FAILED.value:
        return False
    if row.lock is not None:
        taken = await session.scalar(
            sa.select(sa.func.count())
            .select_from(job_table)
            .where(
                job_table.c.lock == row.lock,
                job_table.c.state.in_([JobState.QUEUED.value, JobState.RUNNING.value]),
            )
        )
        if taken:
            return False
    await session.execute(
        sa.update(job_table)
        .where(job_table.c.id == job_id, job_table.c.state == JobState.FAILED.value)
        .values(
            state=JobState.QUEUED.value,
            attempts=0,
            run_at=now,
            finished_at=None,
            node=None,
        )
    )
    return True
