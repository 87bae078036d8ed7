"""The `jobs.prune` schedule: the job table keeps succeeded jobs for a while, not forever."""

from __future__ import annotations

from datetime import timedelta

from edtech.platform.jobs import prune_succeeded
from edtech.platform.observability.logging import get_logger
from edtech.platform.services import Services

log = get_logger(__name__)


async def prune_jobs(services: Services) -> int:
    """Delete succeeded jobs finished more than `EDTECH_JOBS_RETENTION_SECONDS` ago (the
    schedules alone add thousands a day); failed ones stay for the admin view. Returns how
    many went."""
    retention = timedelta(seconds=services.settings.jobs_retention_seconds)
    async with services.session_factory() as session:
        pruned = await prune_succeeded(session, services.clock.now() - retention)
        await session.commit()
    if pruned:
        log.info("jobs_pruned", count=pruned)
    return pruned
