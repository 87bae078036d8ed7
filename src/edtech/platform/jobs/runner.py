"""The node's job runner: claims due jobs, runs them, records the outcome, keeps schedules."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import timedelta

from edtech.platform.jobs import store
from edtech.platform.jobs.declarations import JobFunction, Scheduled
from edtech.platform.jobs.store import ClaimedJob, JobState, SqlJobs
from edtech.platform.observability.logging import get_logger
from edtech.platform.services import Services

log = get_logger(__name__)
UNKNOWN_BACKOFF = timedelta(seconds=30)


class JobRunner:
    """Works the job table on one node: up to `concurrency` jobs at once, polling every
    `poll_seconds` when idle. Every node may run one; the claim makes sure each job runs on one
    node at a time. A job holds a lease of `lease_seconds`: if its node dies mid-job, another
    node takes it over once the lease ran out (the attempt counts)."""

    def __init__(
        self,
        services: Services,
        functions: Sequence[JobFunction] = (),
        schedules: Sequence[Scheduled] = (),
    ) -> None:
        settings = services.settings
        self.services = services
        self.schedules = tuple(schedules)
        self.functions: dict[str, JobFunction] = {}
        for function in [*functions, *(s.as_function() for s in self.schedules)]:
            if function.name in self.functions:
                raise RuntimeError(f"two job functions named {function.name}")
            self.functions[function.name] = function
        self._schedules = {s.name: s for s in self.schedules}
        self.poll_seconds = settings.jobs_poll_seconds
        self.concurrency = settings.jobs_concurrency
        self.lease = timedelta(seconds=settings.jobs_lease_seconds)

    async def ensure_schedules(self) -> None:
        """Queue the first run of every schedule that has none queued or running (its lock
        makes this a no-op where another node, or an earlier start, already did)."""
        async with self.services.session_factory() as session:
            jobs = SqlJobs(session, self.services.clock)
            now = self.services.clock.now()
            for schedule in self.schedules:
                await jobs.defer(
                    schedule.name,
                    at=schedule.first_run(now),
                    lock=schedule.lock,
                    max_attempts=schedule.max_attempts,
                )
            await session.commit()

    async def run(self) -> None:
        """Forever: keep the schedules, work what is due, sleep when there is nothing."""
        await self.ensure_schedules()
        while True:
            if not await self.run_once():
                await asyncio.sleep(self.poll_seconds)

    async def run_once(self) -> int:
        """Claim what is due (up to `concurrency`), run it all, and return how many ran."""
        services = self.services
        async with services.session_factory() as session:
            claimed = await store.claim(
                session, services.node_name, services.clock.now(), self.concurrency, self.lease
            )
        if claimed:
            # Let every claimed job record its outcome before a failure to record one (the
            # database went away) crashes the loop for the supervisor to restart.
            outcomes = await asyncio.gather(
                *(self._work(job) for job in claimed), return_exceptions=True
            )
            for outcome in outcomes:
                if isinstance(outcome, BaseException):
                    raise outcome
        return len(claimed)

    async def _work(self, job: ClaimedJob) -> None:
        services, node = self.services, self.services.node_name
        function = self.functions.get(job.name)
        error: str | None = None
        try:
            if function is None:
                raise LookupError(f"no job function named {job.name!r} on this node")
            await function.run(services, job.args)
        except asyncio.CancelledError:
            # The node is stopping: hand the job back so another node (or the next start) runs it.
            async with services.session_factory() as session:
                await store.release(session, job, node, services.clock.now())
                await session.commit()
            raise
        except Exception as exc:
            log.exception("job_failed", job=job.name, job_id=str(job.id), attempt=job.attempts)
            error = f"{type(exc).__name__}: {exc}"
        now = services.clock.now()
        async with services.session_factory() as session:
            if error is None:
                held = await store.succeed(session, job.id, node, now)
                state: JobState | None = JobState.SUCCEEDED if held else None
            else:
                # An unknown name is retried too: during a rolling upgrade another node may
                # already know it.
                if function is not None:
                    backoff, limit = function.backoff, function.max_attempts
                else:
                    backoff, limit = UNKNOWN_BACKOFF, job.max_attempts
                state = await store.fail(session, job, node, now, error, backoff, limit)
            schedule = self._schedules.get(job.name)
            if schedule is not None and state in (JobState.SUCCEEDED, JobState.FAILED):
                # Same transaction as the outcome: the lock frees and the next run takes it.
                await SqlJobs(session, services.clock).defer(
                    schedule.name,
                    at=schedule.next_after(now),
                    lock=schedule.lock,
                    max_attempts=schedule.max_attempts,
                )
            await session.commit()
        if state is None:
            log.warning("job_lease_lost", job=job.name, job_id=str(job.id))
        elif state is JobState.FAILED:
            log.error("job_dead", job=job.name, job_id=str(job.id), error=error)
