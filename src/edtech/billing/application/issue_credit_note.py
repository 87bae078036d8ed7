"""The use case that issues a credit note against an open invoice."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from edtech.billing.application.common import BeforeCommit, InvoiceUseCase, require_manager
from edtech.billing.domain import ledger
from edtech.billing.domain.invoices import CreditNote
from edtech.billing.domain.money import Money
from edtech.billing.infrastructure.repositories.accounts import SqlAlchemyPayerAccounts
from edtech.billing.infrastructure.repositories.invoices import SqlAlchemyCreditNotes
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Principal


@dataclass(frozen=True)
class NewCreditNote:
    amount: str
    reason: str
    currency: str | None = None


class IssueCreditNote(InvoiceUseCase):
    """A credit note lowers what an open invoice asks for (at most its amount due) without
    touching the invoice's lines; it has its own gapless number."""

    async def __call__(
        self,
        principal: Principal,
        invoice_id: uuid.UUID,
        cmd: NewCreditNote,
        before_commit: BeforeCommit | None = None,
    ) -> CreditNote:
        require_manager(principal)
        async with self.uow:
            inst = principal.institution_id
            invoice = await self.locked_invoice(inst, invoice_id)
            account = await SqlAlchemyPayerAccounts(self.uow.session, inst).get(invoice.account_id)
            assert account is not None
            if cmd.currency is not None:
                account.require_currency(cmd.currency)
            amount = Money.parse(cmd.amount, invoice.currency).minor
            invoice.credit(amount, self.now())
            note = CreditNote(
                id=new_id(),
                institution_id=principal.institution_id,
                invoice_id=invoice.id,
                account_id=invoice.account_id,
                number=await self.next_number(inst, "credit_note"),
                currency=invoice.currency,
                amount_minor=amount,
                reason=cmd.reason,
                created_at=self.now(),
                created_by=principal.person_id,
            )
            SqlAlchemyCreditNotes(self.uow.session, inst).add(note)
            await self.post(
                inst,
                ledger.reduce_receivable(
                    ledger.EntryKind.CREDIT_NOTE,
                    invoice.account_id,
                    note.id,
                    invoice.currency,
                    amount,
                ),
            )
            await self.commit(note, before_commit)
            return note
