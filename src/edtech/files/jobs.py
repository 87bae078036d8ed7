"""How payments become receipts: an event sink defers the rendering job in the payment's own
transaction, and the job function runs the use case (ADR-0007).

The sink sees every unit of work's events as it commits (like the realtime outbox): for each
`billing.payment_received` it queues `files.render_receipt`, locked per payment, so a receipt
job exists exactly when the payment commits and billing knows nothing of files.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from edtech.billing.public import (
    CreditNoteIssued,
    InvoiceIssued,
    InvoiceMarkedUncollectible,
    InvoicePaid,
    InvoiceVoided,
    PaymentReceived,
)
from edtech.files.application.prune_files import PruneFiles
from edtech.files.application.regenerate_report_card import RegenerateReportCard
from edtech.files.application.render_invoice import RenderInvoice
from edtech.files.application.render_receipt import RenderReceipt
from edtech.files.application.render_thumbnail import RenderThumbnail
from edtech.files.application.sweep_orphans import SweepOrphans
from edtech.files.application.sweep_uploads import SweepUploads
from edtech.files.wiring import mail, records, storage
from edtech.kernel.clock import Clock
from edtech.kernel.events import DomainEvent
from edtech.platform.http.deps import use_case
from edtech.platform.jobs import Deferred, SqlJobs
from edtech.platform.services import Services

RENDER_RECEIPT = "files.render_receipt"
SWEEP_UPLOADS = "files.sweep_uploads"
PRUNE_FILES = "files.prune"
SWEEP_ORPHANS = "files.sweep_orphans"
RENDER_REPORT_CARD = "files.render_report_card"
RENDER_INVOICE = "files.render_invoice"
# The changes of an invoice that change what its PDF says.
INVOICE_CHANGES = (
    InvoiceIssued,
    InvoicePaid,
    CreditNoteIssued,
    InvoiceVoided,
    InvoiceMarkedUncollectible,
)
# Grades' contract event type (channels/asyncapi.yaml): matched by type, as a subscriber does.
GRADES_PUBLISHED = "grades.published"
# A publication reaches many students at once, often in several batches a few seconds apart:
# each student's card is rendered once after the last of them.
REPORT_CARD_DELAY = timedelta(seconds=60)


class ReceiptTrigger:
    """An `EventSink`: stages a receipt job for every payment received."""

    event_types = frozenset({PaymentReceived.type})

    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    async def stage(self, session: AsyncSession, events: Sequence[DomainEvent]) -> object:
        jobs = SqlJobs(session, self.clock)
        for event in events:
            if isinstance(event, PaymentReceived):
                await jobs.defer(
                    RENDER_RECEIPT,
                    {
                        "institution_id": str(event.institution_id),
                        "payment_id": str(event.payment_id),
                    },
                    lock=f"receipt:{event.payment_id}",
                    institution_id=event.institution_id,
                )
        return None

    async def committed(self, staged: object) -> None:
        return None


class ReportCardTrigger:
    """An `EventSink`: a student whose results were published gets a report card job, queued
    a minute later and locked per student (a card already queued covers later publications)."""

    event_types = frozenset({GRADES_PUBLISHED})

    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    async def stage(self, session: AsyncSession, events: Sequence[DomainEvent]) -> object:
        students = {
            (e.institution_id, getattr(e, "student_id", None))
            for e in events
            if e.type == GRADES_PUBLISHED
        }
        at = self.clock.now() + REPORT_CARD_DELAY
        # One statement for a whole class's publication (a job whose lock is taken is skipped).
        await SqlJobs(session, self.clock).defer_many(
            [
                Deferred(
                    RENDER_REPORT_CARD,
                    {"institution_id": str(institution_id), "student_id": str(student_id)},
                    at=at,
                    lock=f"report_card:{student_id}",
                    institution_id=institution_id,
                )
                for institution_id, student_id in sorted(students, key=str)
                if student_id is not None
            ]
        )
        return None

    async def committed(self, staged: object) -> None:
        return None


class InvoiceTrigger:
    """An `EventSink`: an invoice issued, paid, credited, voided or written off gets a job that
    renders its PDF as of that change (one per invoice per transaction: the last change)."""

    event_types = frozenset(change.type for change in INVOICE_CHANGES)

    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    async def stage(self, session: AsyncSession, events: Sequence[DomainEvent]) -> object:
        changed: dict[uuid.UUID, DomainEvent] = {}
        for event in events:
            if isinstance(event, INVOICE_CHANGES):
                changed[event.invoice_id] = event
        jobs = SqlJobs(session, self.clock)
        for invoice_id, event in changed.items():
            await jobs.defer(
                RENDER_INVOICE,
                {
                    "institution_id": str(event.institution_id),
                    "invoice_id": str(invoice_id),
                    "as_of": event.occurred_at.isoformat(),
                },
                institution_id=event.institution_id,
            )
        return None

    async def committed(self, staged: object) -> None:
        return None


def invoice_trigger(services: Services) -> InvoiceTrigger:
    return InvoiceTrigger(services.clock)


async def render_invoice(services: Services, args: Mapping[str, Any]) -> None:
    render = use_case(RenderInvoice, storage, records)(services)
    await render(
        uuid.UUID(args["institution_id"]),
        uuid.UUID(args["invoice_id"]),
        datetime.fromisoformat(args["as_of"]),
    )


def report_card_trigger(services: Services) -> ReportCardTrigger:
    return ReportCardTrigger(services.clock)


async def render_report_card(services: Services, args: Mapping[str, Any]) -> None:
    render = use_case(RegenerateReportCard, storage, records)(services)
    await render(uuid.UUID(args["institution_id"]), uuid.UUID(args["student_id"]))


def receipt_trigger(services: Services) -> ReceiptTrigger:
    return ReceiptTrigger(services.clock)


async def render_receipt(services: Services, args: Mapping[str, Any]) -> None:
    render = use_case(RenderReceipt, storage, mail, records)(services)
    await render(uuid.UUID(args["institution_id"]), uuid.UUID(args["payment_id"]))


async def render_thumbnail(services: Services, args: Mapping[str, Any]) -> None:
    render = use_case(RenderThumbnail, storage)(services)
    await render(uuid.UUID(args["institution_id"]), uuid.UUID(args["file_id"]))


async def sweep_uploads(services: Services) -> int:
    """Scheduled: refuse expired upload slots and delete what they received."""
    return await use_case(SweepUploads, storage)(services)()


async def prune_files(services: Services) -> int:
    """Scheduled: delete files kept past their category's retention."""
    return await use_case(PruneFiles, storage)(services)()


async def sweep_orphans(services: Services) -> int:
    """Scheduled: delete objects a day old that no file or upload slot points at."""
    return await use_case(SweepOrphans, storage)(services)()
