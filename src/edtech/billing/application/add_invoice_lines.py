"""The use case that adds lines to a draft invoice."""

from __future__ import annotations

import uuid

from edtech.billing.application.common import InvoiceUseCase, LineIn, require_manager
from edtech.billing.domain.invoices import Invoice
from edtech.billing.infrastructure.repositories.accounts import SqlAlchemyPayerAccounts
from edtech.kernel.principal import Principal


class AddInvoiceLines(InvoiceUseCase):
    """Lines are added to drafts only: an issued invoice is immutable (409)."""

    async def __call__(
        self, principal: Principal, invoice_id: uuid.UUID, lines: list[LineIn]
    ) -> Invoice:
        require_manager(principal)
        async with self.uow:
            inst = principal.institution_id
            invoice = await self.locked_invoice(inst, invoice_id)
            account = await SqlAlchemyPayerAccounts(self.uow.session, inst).get(invoice.account_id)
            assert account is not None
            await self.add_lines(account, invoice, lines)
            await self.uow.commit()
            return invoice
