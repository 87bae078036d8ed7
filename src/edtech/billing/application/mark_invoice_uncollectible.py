"""The use case that writes off what an open invoice still asks for."""

from __future__ import annotations

import uuid

from edtech.billing.application.common import InvoiceUseCase, require_manager
from edtech.billing.domain import ledger
from edtech.billing.domain.invoices import Invoice
from edtech.kernel.principal import Principal


class MarkInvoiceUncollectible(InvoiceUseCase):
    """Writing off an open invoice moves what is still due to bad debt."""

    async def __call__(self, principal: Principal, invoice_id: uuid.UUID) -> Invoice:
        require_manager(principal)
        async with self.uow:
            invoice = await self.locked_invoice(principal.institution_id, invoice_id)
            written_off = invoice.mark_uncollectible(self.now())
            if written_off:
                await self.post(
                    invoice.institution_id,
                    ledger.reduce_receivable(
                        ledger.EntryKind.INVOICE_WRITTEN_OFF,
                        invoice.account_id,
                        invoice.id,
                        invoice.currency,
                        written_off,
                    ),
                )
            await self.uow.commit()
            return invoice
