"""What the rest of the system may use from billing: the consistency check and the overdue job.

Composition root::

    supervisor.start("billing.overdue", lambda: overdue_loop(services))

CLI (`edtech billing check`)::

    report = await check(services.session_factory)
    print(report.problems or "ledger consistent"); exit(0 if report.ok else 1)
"""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from edtech.billing.application.overdue import REMIND_EVERY_DAYS, RemindOverdueInvoices
from edtech.billing.infrastructure.consistency import ConsistencyReport, check_consistency
from edtech.billing.infrastructure.roster import InstitutionsRoster
from edtech.platform.idempotency import purge_expired
from edtech.platform.observability.logging import get_logger
from edtech.platform.services import Services

__all__ = [
    "ConsistencyReport",
    "check",
    "check_consistency",
    "overdue_loop",
    "remind_overdue",
]

log = get_logger(__name__)


async def check(
    session_factory: async_sessionmaker[AsyncSession], institution_id: uuid.UUID | None = None
) -> ConsistencyReport:
    """Run the ledger consistency check (all institutions, or one) in a read-only session."""
    async with session_factory() as session:
        return await check_consistency(session, institution_id)


async def remind_overdue(services: Services, every_days: int = REMIND_EVERY_DAYS) -> int:
    """One pass of the overdue job; also forgets Idempotency-Keys past their 24 h. Returns
    how many reminders went out."""
    sent = await RemindOverdueInvoices(services.uow(), services.clock, InstitutionsRoster())(
        every_days
    )
    async with services.session_factory() as session:
        purged = await purge_expired(session, services.clock.now())
        await session.commit()
    if sent or purged:
        log.info("billing_overdue_pass", reminders=sent, idempotency_keys_purged=purged)
    return sent


async def overdue_loop(services: Services, interval_seconds: float = 3600.0) -> None:
    """Run `remind_overdue` forever, every `interval_seconds`; for a supervisor (it raises on
    failure, so the supervisor logs and restarts it)."""
    while True:
        await remind_overdue(services)
        await asyncio.sleep(interval_seconds)
