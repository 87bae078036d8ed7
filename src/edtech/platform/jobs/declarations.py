"""What a slice declares: job functions (run when deferred) and schedules (run every so often)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from edtech.platform.services import Services

JobRun = Callable[[Services, Mapping[str, Any]], Awaitable[None]]
"""A job function: the node's services and the JSON arguments it was deferred with."""

ScheduleRun = Callable[[Services], Awaitable[object]]
"""A scheduled job: one pass (the old loops' body without the `while True: sleep`)."""


@dataclass(frozen=True)
class JobFunction:
    """A job function by name. A failed attempt is retried after `backoff` × 2^(attempt−1)
    (capped at an hour) until `max_attempts`, then the job stays `failed` (the dead letter)."""

    name: str
    run: JobRun
    max_attempts: int = 5
    backoff: timedelta = timedelta(seconds=10)


@dataclass(frozen=True)
class Scheduled:
    """A job run every `every`, on one node at a time: one row per schedule is queued or
    running at any moment (its lock is `schedule:<name>`); when it finishes, succeeded or dead,
    the next run is deferred `every` later in the same transaction."""

    name: str
    every: timedelta
    run: ScheduleRun
    max_attempts: int = 3
    backoff: timedelta = timedelta(seconds=5)

    @property
    def lock(self) -> str:
        return f"schedule:{self.name}"

    def as_function(self) -> JobFunction:
        run = self.run

        async def once(services: Services, _args: Mapping[str, Any]) -> None:
            await run(services)

        return JobFunction(self.name, once, self.max_attempts, self.backoff)
