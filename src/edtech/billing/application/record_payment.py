"""The use case that records a payment taken by hand (cash, cheque, transfer)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from edtech.billing.application.common import (
    BeforeCommit,
    PaymentUseCase,
    not_found,
    require_manager,
)
from edtech.billing.domain.accounts import PayerAccount
from edtech.billing.domain.invoices import Invoice
from edtech.billing.domain.money import Money
from edtech.billing.domain.payments import Payment, PaymentMethod
from edtech.billing.infrastructure.repositories.accounts import SqlAlchemyPayerAccounts
from edtech.billing.infrastructure.repositories.invoices import SqlAlchemyInvoices
from edtech.kernel.errors import FieldProblem, InvalidError
from edtech.kernel.principal import Principal


@dataclass(frozen=True)
class AllocationIn:
    invoice_id: uuid.UUID
    amount: str


@dataclass(frozen=True)
class NewPayment:
    amount: str
    currency: str
    method: PaymentMethod
    reference: str = ""
    received_at: datetime | None = None
    allocations: list[AllocationIn] | None = None


class RecordPayment(PaymentUseCase):
    """An accountant records cash, a cheque or a bank transfer for an account: positive, in
    the account's currency; allocated as told (each to an open invoice of the account, at
    most its due, in total at most the payment) or else to the oldest invoices first; any
    rest becomes account credit. Every payment gets a gapless receipt number."""

    async def __call__(
        self,
        principal: Principal,
        account_id: uuid.UUID,
        cmd: NewPayment,
        before_commit: BeforeCommit | None = None,
    ) -> Payment:
        require_manager(principal)
        if cmd.method == PaymentMethod.CARD:
            raise InvalidError(
                "Card payments come from the payment provider, not by hand.",
                [FieldProblem(("method",), "use cash, cheque or bank_transfer")],
            )
        async with self.uow:
            accounts = SqlAlchemyPayerAccounts(self.uow.session, principal.institution_id)
            account = await accounts.get(account_id, lock=True)
            if account is None:
                raise not_found("Account")
            account.require_currency(cmd.currency)
            amount = Money.parse(cmd.amount, account.currency).minor
            if amount <= 0:
                raise InvalidError(
                    "A payment must be positive.", [FieldProblem(("amount",), "must be > 0")]
                )
            explicit = None
            if cmd.allocations is not None:
                explicit = await self._explicit(account, amount, cmd.allocations)
            payment = await self.receive(
                account,
                amount,
                cmd.method,
                cmd.reference,
                cmd.received_at or self.now(),
                principal.person_id,
                explicit,
            )
            await self.commit(payment, before_commit)
            return payment

    async def _explicit(
        self, account: PayerAccount, amount: int, given: list[AllocationIn]
    ) -> list[tuple[Invoice, int]]:
        invoices = SqlAlchemyInvoices(self.uow.session, account.institution_id)
        problems: list[FieldProblem] = []
        plan: list[tuple[Invoice, int]] = []
        seen: set[uuid.UUID] = set()
        for n, a in enumerate(given):
            invoice = await invoices.get(a.invoice_id, lock=True)
            if invoice is None or invoice.account_id != account.id:
                problems.append(FieldProblem(("allocations", n, "invoice_id"), "no such invoice"))
                continue
            if invoice.id in seen:
                problems.append(FieldProblem(("allocations", n, "invoice_id"), "listed twice"))
                continue
            seen.add(invoice.id)
            if invoice.status != "open":
                problems.append(
                    FieldProblem(("allocations", n, "invoice_id"), f"invoice is {invoice.status}")
                )
                continue
            share = Money.parse(a.amount, account.currency).minor
            if not 0 < share <= invoice.amount_due_minor:
                problems.append(
                    FieldProblem(("allocations", n, "amount"), "must be positive and ≤ amount due")
                )
                continue
            plan.append((invoice, share))
        if sum(s for _, s in plan) > amount:
            problems.append(FieldProblem(("allocations",), "allocate at most the payment"))
        if problems:
            raise InvalidError("The allocations are not valid.", problems)
        return plan
