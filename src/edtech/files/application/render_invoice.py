"""Use case (a job): render an issued invoice as a PDF, again whenever its state changes."""

from __future__ import annotations

import uuid
from datetime import datetime

from edtech.files.application.common import removed_on_failure, store
from edtech.files.application.ports import ObjectStorage, RecordsFactory
from edtech.files.domain import Category
from edtech.files.infrastructure.pdf import InvoiceDocument, render_invoice
from edtech.files.infrastructure.repository import SqlAlchemyFiles
from edtech.kernel.clock import Clock
from edtech.platform.db.uow import UnitOfWork
from edtech.platform.observability.logging import get_logger
from edtech.platform.storage import require_storage

log = get_logger("edtech.files")


class RenderInvoice:
    """An issued invoice gets a PDF — its lines, total, what is paid, credited and written
    off, and the amount due — readable by the accountants and the guardians who may see the
    family's bills. Each change of the invoice (issued, paid, credited, voided, written off)
    renders a new copy of it as it stands, unless a copy was rendered since that change (a
    retried job, or several changes rendered at once): the newest copy is the invoice now."""

    def __init__(
        self, uow: UnitOfWork, clock: Clock, storage: ObjectStorage, records: RecordsFactory
    ) -> None:
        self.uow, self.clock, self.storage, self.records = uow, clock, storage, records

    async def __call__(
        self, institution_id: uuid.UUID, invoice_id: uuid.UUID, as_of: datetime
    ) -> uuid.UUID | None:
        """The file id of a copy rendered at or after the change at `as_of` (None if the
        invoice is not issued)."""
        require_storage(self.storage)
        async with self.uow as uow, removed_on_failure(self.storage) as written:
            records = self.records(uow.session)
            facts = await records.invoice(institution_id, invoice_id)
            if facts is None:
                log.warning("invoice_pdf_invoice_missing", invoice_id=str(invoice_id))
                return None
            files = SqlAlchemyFiles(uow.session)
            copies = await files.of_record(institution_id, Category.INVOICE, "invoice", invoice_id)
            if copies and copies[-1].created_at >= as_of:
                return copies[-1].id
            now = self.clock.now()
            issued = facts.issued_at
            if issued is not None:
                issued = await records.school_time(institution_id, issued)
            data = render_invoice(
                InvoiceDocument(
                    school=await records.school_name(institution_id),
                    number=facts.number,
                    status=facts.status,
                    payer=facts.account_name,
                    currency=facts.currency,
                    memo=facts.memo,
                    issued=issued,
                    due_on=facts.due_on,
                    lines=facts.lines,
                    total=facts.total,
                    paid=facts.paid,
                    credited=facts.credited,
                    written_off=facts.written_off,
                    amount_due=facts.amount_due,
                    dated=await records.school_time(institution_id, now),
                )
            )
            stored = await store(
                files,
                self.storage,
                institution_id=institution_id,
                category=Category.INVOICE,
                record=("invoice", invoice_id),
                filename=f"invoice-{facts.number}-{facts.status}.pdf",
                content_type="application/pdf",
                data=data,
                subjects=facts.student_ids,
                by=None,
                now=now,
                written=written,
            )
            await uow.commit()
        return stored.id
