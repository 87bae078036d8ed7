"""The use case that drafts an invoice by hand."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from edtech.billing.application.common import InvoiceUseCase, LineIn, require_manager
from edtech.billing.domain.invoices import Invoice
from edtech.billing.infrastructure.repositories.accounts import SqlAlchemyPayerAccounts
from edtech.billing.infrastructure.repositories.invoices import SqlAlchemyInvoices
from edtech.kernel.errors import FieldProblem, InvalidError
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Principal


@dataclass(frozen=True)
class NewInvoice:
    account_id: uuid.UUID
    due_on: date
    memo: str = ""
    lines: list[LineIn] = field(default_factory=list)


class DraftInvoice(InvoiceUseCase):
    """An invoice by hand: a draft for an account, with manual lines (negative = discount)."""

    async def __call__(self, principal: Principal, cmd: NewInvoice) -> Invoice:
        require_manager(principal)
        async with self.uow:
            session, inst = self.uow.session, principal.institution_id
            account = await SqlAlchemyPayerAccounts(session, inst).get(cmd.account_id)
            if account is None:
                raise InvalidError(
                    "Unknown account.", [FieldProblem(("account_id",), "no such account")]
                )
            invoice = Invoice(
                id=new_id(),
                institution_id=principal.institution_id,
                account_id=account.id,
                currency=account.currency,
                due_on=cmd.due_on,
                created_at=self.now(),
                memo=cmd.memo,
            )
            await self.add_lines(account, invoice, cmd.lines)
            SqlAlchemyInvoices(session, inst).add(invoice)
            await self.uow.commit()
            return invoice
