"""The jobs slice as the composition root sees it: the job table, its admin routes, and the
hourly pruning of succeeded jobs."""

from __future__ import annotations

from datetime import timedelta

from edtech.jobs.api import router
from edtech.jobs.prune import prune_jobs
from edtech.manifest import Scheduled, Slice
from edtech.platform.jobs import table

SLICE = Slice(
    name="jobs",
    routers=[router],
    tables=[table],
    schedules=[Scheduled("jobs.prune", timedelta(hours=1), prune_jobs)],
)
