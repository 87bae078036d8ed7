"""The use case that voids an unpaid open invoice."""

from __future__ import annotations

import uuid

from edtech.billing.application.common import InvoiceUseCase, require_manager
from edtech.billing.domain import ledger
from edtech.billing.domain.invoices import Invoice
from edtech.kernel.principal import Principal


class VoidInvoice(InvoiceUseCase):
    """An open invoice nobody paid can be voided; what it asked for stops being receivable."""

    async def __call__(self, principal: Principal, invoice_id: uuid.UUID) -> Invoice:
        require_manager(principal)
        async with self.uow:
            invoice = await self.locked_invoice(principal.institution_id, invoice_id)
            cancelled = invoice.void(self.now())
            if cancelled:
                await self.post(
                    invoice.institution_id,
                    ledger.reduce_receivable(
                        ledger.EntryKind.INVOICE_VOIDED,
                        invoice.account_id,
                        invoice.id,
                        invoice.currency,
                        cancelled,
                    ),
                )
            await self.uow.commit()
            return invoice
