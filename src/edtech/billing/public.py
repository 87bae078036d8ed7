"""What the rest of the system may use from billing: the consistency check, the overdue job and
the demo bills.

Scheduled hourly by `slice.py` (ADR-0007)::

    Scheduled("billing.overdue", timedelta(hours=1), remind_overdue)

CLI (`edtech billing check`)::

    report = await check(services.session_factory)
    print(report.problems or "ledger consistent"); exit(0 if report.ok else 1)
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from edtech.billing.application.remind_overdue_invoices import (
    REMIND_EVERY_DAYS,
    RemindOverdueInvoices,
)
from edtech.billing.application.seed_demo_billing import DemoFamily, SeedDemoBilling
from edtech.billing.domain.events import (
    CreditNoteIssued,
    InvoiceIssued,
    InvoiceMarkedUncollectible,
    InvoicePaid,
    InvoiceVoided,
    PaymentReceived,
)
from edtech.billing.domain.money import exponent as currency_exponent
from edtech.billing.infrastructure.consistency import ConsistencyReport, check_consistency
from edtech.billing.infrastructure.exports import (
    InvoiceFacts,
    ReceiptFacts,
    invoice_facts,
    receipt_facts,
    student_billing_record,
)
from edtech.billing.infrastructure.roster import InstitutionsRoster
from edtech.institutions.public import acting_as, school_clock
from edtech.kernel.clock import Clock, SystemClock
from edtech.platform.db.uow import UnitOfWork
from edtech.platform.http.deps import use_case
from edtech.platform.idempotency import purge_expired
from edtech.platform.observability.logging import get_logger
from edtech.platform.services import Services

__all__ = [
    "ConsistencyReport",
    "CreditNoteIssued",
    "InvoiceFacts",
    "InvoiceIssued",
    "InvoiceMarkedUncollectible",
    "InvoicePaid",
    "InvoiceVoided",
    "PaymentReceived",
    "ReceiptFacts",
    "check",
    "check_consistency",
    "currency_exponent",
    "invoice_facts",
    "receipt_facts",
    "remind_overdue",
    "seed_demo",
    "student_billing_record",
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
    remind = use_case(RemindOverdueInvoices, lambda _services: InstitutionsRoster)(services)
    sent = await remind(every_days)
    async with services.session_factory() as session:
        purged = await purge_expired(session, services.clock.now())
        await session.commit()
    if sent or purged:
        log.info("billing_overdue_pass", reminders=sent, idempotency_keys_purged=purged)
    return sent


# The demo families (see `edtech.demo`): student N's family, guardian5's two children together.
# (students, sibling discount, invoices paid in full, paid toward the next)
DEMO_FAMILIES: tuple[tuple[tuple[int, ...], bool, int, str | None], ...] = (
    ((1,), False, 1, "500"),  # guardian1: paid, overdue and partly paid, still to come
    ((2,), False, 2, None),  # seen by student2's second guardian, never by guardian2
    ((3,), False, 0, None),  # guardian3 may not see billing
    ((4,), False, 1, None),
    ((5, 6), True, 1, None),  # guardian5: paid, overdue, still to come; a sibling discount
)


async def seed_demo(
    session_factory: async_sessionmaker[AsyncSession], summary: Any, *, clock: Clock | None = None
) -> dict[str, int]:
    """Demo bills, idempotently, written by accountant@demo.test through the use cases: a fee
    catalogue (tuition, a lunch plan, grade 7 field trips), a plan of three instalments (70 and
    14 days ago, in 30 days), family accounts for students 1–6 (student5 and student6 together,
    with a sibling discount) and their invoices. guardian1 sees one paid, one overdue and partly
    paid, and one still to come; guardian5 one paid, one overdue and one to come.

    `summary` is the `edtech.demo.DemoSummary`. Returns what was created, by kind (all zeros
    when everything was already there).
    """
    clock = clock or SystemClock()
    institution_id = summary.institution_id
    people: Mapping[str, uuid.UUID] = summary.people
    async with session_factory() as session:
        today = (await school_clock(session, clock, institution_id)).today()
        accountant = await acting_as(session, institution_id, people["accountant@demo.test"], today)
        families = []
        for numbers, sibling_discount, paid, toward in DEMO_FAMILIES:
            ids = tuple(people[f"student{n}@demo.test"] for n in numbers)
            names = [(await acting_as(session, institution_id, s, today)).display_name for s in ids]
            families.append(
                DemoFamily(f"Family of {' and '.join(names)}", ids, sibling_discount, paid, toward)
            )
    uow = UnitOfWork(session_factory)  # no sinks: nobody is watching a school being seeded
    return await SeedDemoBilling(uow, clock, InstitutionsRoster)(accountant, families)
