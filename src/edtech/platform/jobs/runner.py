"""The node's job runner: claims due jobs, runs them, records the outcome, keeps schedules."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
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
    node at a time. A job holds a lease of `lease_seconds`, which the runner extends (every
    third of it, one statement for all the jobs it has in flight) for as long as the job runs:
    a job longer than its lease is not taken over while its node is alive. If the node dies
    mid-job, the extensions stop, and another node takes the job over once the lease ran out
    (the attempt counts)."""

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
        self._coalescing = frozenset(f.name for f in self.functions.values() if f.coalescing)
        self.poll_seconds = settings.jobs_poll_seconds
        self.concurrency = settings.jobs_concurrency
        self.lease = timedelta(seconds=settings.jobs_lease_seconds)
        self._held: dict[uuid.UUID, ClaimedJob] = {}

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
        await self.work()

    async def work(self, stop: asyncio.Event | None = None) -> int:
        """Work jobs until `stop` is set (forever without one), then let the jobs in flight
        finish; returns how many ran. Up to `concurrency` jobs are in flight: as they finish,
        the free slots are claimed again (a quarter of `concurrency` at least, in one claim),
        without waiting for the slowest job of a claim. Cancelled (the node stops), the jobs in
        flight are handed back."""
        in_flight: set[asyncio.Task[None]] = set()
        refill = max(1, self.concurrency // 4)
        ran = 0
        heartbeat = asyncio.create_task(self._keep_leases())
        try:
            while stop is None or not stop.is_set():
                free = self.concurrency - len(in_flight)
                claimed: list[ClaimedJob] = []
                if free >= refill or not in_flight:
                    claimed = await self._claim(free)
                    for job in claimed:
                        in_flight.add(asyncio.create_task(self._work(job)))
                    ran += len(claimed)
                if not in_flight:
                    await self._pause(stop)
                    continue
                # Wake when a job finishes; when the queue looked empty, no sooner than a poll.
                done, in_flight = await asyncio.wait(
                    in_flight,
                    timeout=self.poll_seconds if len(claimed) < free else None,
                    return_when=asyncio.FIRST_COMPLETED,
                )
                for task in done:
                    task.result()  # a failure to record an outcome: the supervisor restarts us
            if in_flight:
                await asyncio.gather(*in_flight)
        finally:
            # The beat stops first: waiting for the jobs' hand-back may itself be cut short (a
            # node's stop is bounded), and a beat left behind would outlive the runner.
            heartbeat.cancel()
            for task in in_flight:
                task.cancel()
            await asyncio.gather(heartbeat, *in_flight, return_exceptions=True)
        return ran

    async def _pause(self, stop: asyncio.Event | None) -> None:
        if stop is None:
            await asyncio.sleep(self.poll_seconds)
        else:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.poll_seconds)

    async def run_once(self) -> int:
        """Claim what is due (up to `concurrency`), run it all, and return how many ran."""
        claimed = await self._claim(self.concurrency)
        if claimed:
            heartbeat = asyncio.create_task(self._keep_leases())
            try:
                # Let every claimed job record its outcome before a failure to record one (the
                # database went away) crashes the loop for the supervisor to restart.
                outcomes = await asyncio.gather(
                    *(self._work(job) for job in claimed), return_exceptions=True
                )
            finally:
                heartbeat.cancel()
                await asyncio.gather(heartbeat, return_exceptions=True)
            for outcome in outcomes:
                if isinstance(outcome, BaseException):
                    raise outcome
        return len(claimed)

    async def _claim(self, limit: int) -> list[ClaimedJob]:
        services = self.services
        async with services.session_factory() as session:
            return await store.claim(
                session,
                services.node_name,
                services.clock.now(),
                limit,
                self.lease,
                self._coalescing,
            )

    async def extend_leases(self) -> int:
        """Extend the lease of every job this node has in flight to `lease_seconds` from now
        (one statement); returns how many it still held. The runner calls it every third of
        the lease while jobs run; a job may call it too (`services.components.get(JobRunner)`)
        before a step it knows to be long."""
        held = list(self._held)
        if not held:
            return 0
        services = self.services
        async with services.session_factory() as session:
            until = services.clock.now() + self.lease
            extended = await store.extend(session, held, services.node_name, until)
            await session.commit()
        return extended

    async def _keep_leases(self) -> None:
        every = self.lease.total_seconds() / 3
        while True:
            await asyncio.sleep(every)
            try:
                await self.extend_leases()
            except Exception:  # the database is away: the next beat tries again
                log.exception("job_lease_not_extended", jobs=len(self._held))

    async def _work(self, job: ClaimedJob) -> None:
        services, node = self.services, self.services.node_name
        function = self.functions.get(job.name)
        error: str | None = None
        self._held[job.id] = job
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
        finally:
            self._held.pop(job.id, None)
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
