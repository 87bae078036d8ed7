"""The use case that issues a draft invoice."""

from __future__ import annotations

import uuid

from edtech.billing.application.common import InvoiceUseCase, require_manager
from edtech.billing.domain.invoices import Invoice
from edtech.kernel.principal import Principal


class FinalizeInvoice(InvoiceUseCase):
    """Finalizing gives a draft the institution's next invoice number and freezes it; any
    credit the account holds is applied to it at once."""

    async def __call__(self, principal: Principal, invoice_id: uuid.UUID) -> Invoice:
        require_manager(principal)
        async with self.uow:
            invoice = await self.locked_invoice(principal.institution_id, invoice_id)
            await self.finalize(invoice)
            await self.uow.commit()
            return invoice
