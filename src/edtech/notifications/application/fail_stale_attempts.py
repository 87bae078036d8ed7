"""Use case: the stale-attempt sweep — an attempt whose job gave up is failed, never sent again."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import timedelta

from edtech.kernel.clock import Clock
from edtech.notifications.infrastructure.repository import SqlNotifications
from edtech.platform.db.uow import UnitOfWork

STALE = timedelta(hours=1)
"""Far past an attempt's own retries (10 s + 20 s + 40 s + 80 s) and its job's runs (backoff
and leases): an attempt still open this long after its last try started has no job left."""


class FailStaleAttempts:
    """Every few minutes (a schedule, on one node at a time): an attempt left `sending` for
    `STALE` (its job ran out of runs, or was dead-lettered, between the `sending` commit and the
    settle), or left `pending` that long after a failed try (its follow-up job gave up), is
    `failed` with the reason `abandoned`, and its batch's counters move. Whether its last call
    went out cannot be known; the sweep never sends it again — a second message is worse than
    a missed channel, and the ladder's next rung still goes (ADR-0010)."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    async def __call__(self) -> int:
        """Returns how many attempts it failed."""
        async with self.uow as uow:
            store = SqlNotifications(uow.session)
            now = self.clock.now()
            stale = await store.fail_stale(now - STALE, now)
            tallies: dict[uuid.UUID, Counter[str]] = {}
            for batch_id, channel in stale:
                if batch_id is not None:
                    tallies.setdefault(batch_id, Counter())[f"{channel}_failed"] += 1
            for batch_id in sorted(tallies):  # batch rows locked in one order
                progressed = await store.batch_progress(batch_id, now, tally=tallies[batch_id])
                if progressed is not None:
                    uow.emit(progressed)
            await uow.commit()
        return len(stale)
