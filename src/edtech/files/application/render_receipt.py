"""Use case (a job): render a payment's receipt as a PDF, keep it, and mail it to the family."""

from __future__ import annotations

import uuid

from edtech.files.application.common import removed_on_failure, store
from edtech.files.application.ports import Mail, ObjectStorage, RecordsFactory
from edtech.files.domain import Category
from edtech.files.infrastructure.pdf import ReceiptDocument, render_receipt
from edtech.files.infrastructure.repository import SqlAlchemyFiles
from edtech.kernel.clock import Clock
from edtech.platform.db.uow import UnitOfWork
from edtech.platform.mail import Attachment, mail_is_set_up
from edtech.platform.observability.logging import get_logger
from edtech.platform.storage import require_storage

log = get_logger("edtech.files")


class RenderReceipt:
    """Every payment gets one receipt PDF (rendered once: a retry reuses it), readable by the
    accountants and the guardians who may see the family's bills, and mailed to those
    guardians with the PDF attached. Without mail set up the receipt is still kept and listed,
    and the log says it was not sent."""

    def __init__(
        self,
        uow: UnitOfWork,
        clock: Clock,
        storage: ObjectStorage,
        mail: Mail,
        records: RecordsFactory,
    ) -> None:
        self.uow, self.clock = uow, clock
        self.storage, self.mail, self.records = storage, mail, records

    async def __call__(self, institution_id: uuid.UUID, payment_id: uuid.UUID) -> uuid.UUID | None:
        """Returns the receipt's file id (None if the payment is gone)."""
        require_storage(self.storage)
        now = self.clock.now()
        async with self.uow as uow, removed_on_failure(self.storage) as written:
            records = self.records(uow.session)
            facts = await records.receipt(institution_id, payment_id)
            if facts is None:
                log.warning("receipt_payment_missing", payment_id=str(payment_id))
                return None
            today = (await records.school_time(institution_id, now)).date()
            recipients = await records.billing_emails(institution_id, facts.student_ids, today)
            files = SqlAlchemyFiles(uow.session)
            existing = await files.of_record(
                institution_id, Category.RECEIPT, "payment", payment_id
            )
            if existing:
                stored = existing[0]
                data = await self.storage.get(stored.storage_key)
            else:
                data = render_receipt(
                    ReceiptDocument(
                        school=await records.school_name(institution_id),
                        receipt_number=facts.receipt_number,
                        received_at=await records.school_time(institution_id, facts.received_at),
                        payer=facts.account_name,
                        amount=facts.amount,
                        currency=facts.currency,
                        method=facts.method,
                        reference=facts.reference,
                        allocations=facts.allocations,
                        unallocated=facts.unallocated,
                    )
                )
                stored = await store(
                    files,
                    self.storage,
                    institution_id=institution_id,
                    category=Category.RECEIPT,
                    record=("payment", payment_id),
                    filename=f"receipt-{facts.receipt_number}.pdf",
                    content_type="application/pdf",
                    data=data,
                    subjects=facts.student_ids,
                    by=None,
                    now=now,
                    written=written,
                )
                await uow.commit()
            attachment = Attachment(stored.filename, stored.content_type, data)
            file_id = stored.id
        if not mail_is_set_up(self.mail):
            log.warning("receipt_not_mailed", payment_id=str(payment_id), reason="mail not set up")
            return file_id
        for to in recipients:
            await self.mail.send(
                to,
                f"Receipt {facts.receipt_number}: {facts.amount} {facts.currency} received",
                f"We received {facts.amount} {facts.currency} for {facts.account_name} "
                f"({facts.method.replace('_', ' ')}). Your receipt {facts.receipt_number} is "
                "attached.",
                attachments=[attachment],
            )
        return file_id
