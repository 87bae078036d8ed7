"""Durable background jobs: one table, one runner, the same semantics on every database.

A use case defers a job with `SqlJobs(uow.session).defer(...)`: the row is written in the
use case's own transaction, so a rolled-back change never runs its job and a committed one
always does. Nodes with `EDTECH_BACKGROUND_JOBS` on run a `JobRunner` that claims due jobs
(`FOR UPDATE SKIP LOCKED` on PostgreSQL, so two nodes never run the same job), retries a
failure with exponential backoff and leaves it `failed` (the dead-letter state) after its last
attempt. Scheduled jobs (`Scheduled`) are rows like any other, re-deferred when they finish.
See ADR-0007.
"""

from edtech.platform.jobs.declarations import JobFunction, JobRun, Scheduled, ScheduleRun
from edtech.platform.jobs.runner import JobRunner
from edtech.platform.jobs.store import JobState, SqlJobs, retry_failed
from edtech.platform.jobs.table import job_table

__all__ = [
    "JobFunction",
    "JobRun",
    "JobRunner",
    "JobState",
    "ScheduleRun",
    "Scheduled",
    "SqlJobs",
    "job_table",
    "retry_failed",
]
