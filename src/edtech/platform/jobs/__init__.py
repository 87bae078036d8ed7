"""Durable background jobs: one table, one runner, the same semantics on every database.

A use case takes the `jobs_port` (a `Callable[[AsyncSession], Jobs]`, like a roster port) and
defers with `await self.jobs(self.uow.session).defer(...)`: the row is written in its own
transaction, so a rolled-back change never runs its job and a committed one
always does. Nodes with `EDTECH_BACKGROUND_JOBS` on run a `JobRunner` that claims due jobs
(`FOR UPDATE SKIP LOCKED` on PostgreSQL, so two nodes never run the same job), retries a
failure with exponential backoff and leaves it `failed` (the dead-letter state) after its last
attempt. Scheduled jobs (`Scheduled`) are rows like any other, re-deferred when they finish.
See ADR-0007.
"""

from edtech.platform.jobs.declarations import JobFunction, JobRun, Scheduled, ScheduleRun
from edtech.platform.jobs.runner import JobRunner
from edtech.platform.jobs.store import (
    Deferred,
    JobsFactory,
    JobState,
    SqlJobs,
    jobs_port,
    prune_succeeded,
    retry_failed,
)
from edtech.platform.jobs.table import job_table

__all__ = [
    "Deferred",
    "JobFunction",
    "JobRun",
    "JobRunner",
    "JobState",
    "JobsFactory",
    "ScheduleRun",
    "Scheduled",
    "SqlJobs",
    "job_table",
    "jobs_port",
    "prune_succeeded",
    "retry_failed",
]
