"""What a slice declares: job functions (run when deferred) and schedules (run every so often)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cronsim import CronSim, CronSimError

from edtech.platform.services import Services

JobRun = Callable[[Services, Mapping[str, Any]], Awaitable[None]]
"""A job function: the node's services and the JSON arguments it was deferred with."""

ScheduleRun = Callable[[Services], Awaitable[object]]
"""A scheduled job: one pass (the old loops' body without the `while True: sleep`)."""


@dataclass(frozen=True)
class JobFunction:
    """A job function by name. A failed attempt is retried after `backoff` × 2^(attempt−1)
    (capped at an hour) until `max_attempts`, then the job stays `failed` (the dead letter).

    A `coalescing` function's lock holds only while its job waits: the claim that starts it
    lets the lock go, so work deferred while it runs queues a job of its own (the running one
    may have read too early to see it), and work deferred while one waits merges into that one
    (`SqlJobs.defer_coalesced`)."""

    name: str
    run: JobRun
    max_attempts: int = 5
    backoff: timedelta = timedelta(seconds=10)
    coalescing: bool = False


@dataclass(frozen=True)
class Scheduled:
    """A job run every `every` (first at start), or at the times of a `cron` expression (five
    fields, UTC, e.g. `"0 7 * * MON-FRI"`), on one node at a time: one row per schedule is
    queued or running at any moment (its lock is `schedule:<name>`); when it finishes, succeeded
    or dead, its next run is deferred in the same transaction."""

    name: str
    every: timedelta | None
    run: ScheduleRun
    max_attempts: int = 3
    backoff: timedelta = timedelta(seconds=5)
    cron: str | None = None

    def __post_init__(self) -> None:
        if (self.every is None) == (self.cron is None):
            raise ValueError(f"schedule {self.name}: give exactly one of `every` and `cron`")
        if self.every is not None and self.every <= timedelta(0):
            raise ValueError(f"schedule {self.name}: `every` must be positive")
        if self.cron is not None:
            try:
                CronSim(self.cron, datetime.now(UTC))
            except CronSimError as exc:  # a typo fails at import, not at the first run
                raise ValueError(f"schedule {self.name}: bad cron {self.cron!r}: {exc}") from exc

    @property
    def lock(self) -> str:
        return f"schedule:{self.name}"

    def first_run(self, now: datetime) -> datetime:
        """When a schedule with no run queued runs first: at once for an interval, at the next
        matching time for a cron expression."""
        return now if self.every is not None else self.next_after(now)

    def next_after(self, moment: datetime) -> datetime:
        """The next run after one that finished at `moment`."""
        if self.every is not None:
            return moment + self.every
        assert self.cron is not None
        return next(CronSim(self.cron, moment.astimezone(UTC)))

    def as_function(self) -> JobFunction:
        run = self.run

        async def once(services: Services, _args: Mapping[str, Any]) -> None:
            await run(services)

        return JobFunction(self.name, once, self.max_attempts, self.backoff)
