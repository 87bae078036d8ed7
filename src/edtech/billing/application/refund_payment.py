"""The use case that refunds part or all of a payment."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from edtech.billing.application.common import (
    BeforeCommit,
    ProviderUseCase,
    not_found,
    require_manager,
)
from edtech.billing.domain import ledger
from edtech.billing.domain.money import Money
from edtech.billing.domain.payments import Refund, plan_refund
from edtech.billing.infrastructure.repositories.accounts import SqlAlchemyPayerAccounts
from edtech.billing.infrastructure.repositories.invoices import SqlAlchemyInvoices
from edtech.billing.infrastructure.repositories.payments import (
    SqlAlchemyPayments,
    SqlAlchemyRefunds,
)
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Principal


@dataclass(frozen=True)
class NewRefund:
    amount: str
    reason: str
    currency: str | None = None


class RefundPayment(ProviderUseCase):
    """A refund gives back part or all of one payment (never more than was paid and not yet
    refunded): first from the credit the payment left, then by taking its allocations back
    from open or paid invoices, latest first, which are due again (money on a written-off
    invoice stays there). A card payment is refunded through the provider that collected it,
    and the refund is recorded only if the provider made it. Refunds have gapless numbers."""

    async def __call__(
        self,
        principal: Principal,
        payment_id: uuid.UUID,
        cmd: NewRefund,
        before_commit: BeforeCommit | None = None,
    ) -> Refund:
        require_manager(principal)
        async with self.uow:
            inst, session = principal.institution_id, self.uow.session
            payments = SqlAlchemyPayments(session, inst)
            invoices = SqlAlchemyInvoices(session, inst)
            payment = await payments.get(payment_id)
            if payment is None:
                raise not_found("Payment")
            account = await SqlAlchemyPayerAccounts(session, inst).get(
                payment.account_id, lock=True
            )
            assert account is not None
            payment = await payments.get(payment_id, lock=True)
            assert payment is not None
            if cmd.currency is not None:
                account.require_currency(cmd.currency)
            amount = Money.parse(cmd.amount, payment.currency).minor
            net: dict[uuid.UUID, int] = {}
            for alloc in await payments.allocations_of(payment.id):
                net[alloc.invoice_id] = net.get(alloc.invoice_id, 0) + alloc.amount_minor
            # Money on a written-off invoice stays there: only open or paid ones give it back.
            for invoice_id in list(net):
                invoice = await invoices.get(invoice_id, lock=True)
                if invoice is None or invoice.status not in ("open", "paid"):
                    del net[invoice_id]
            plan = plan_refund(payment, amount, list(net.items()))
            refund = Refund(
                id=new_id(),
                institution_id=payment.institution_id,
                account_id=payment.account_id,
                payment_id=payment.id,
                number=await self.next_number(inst, "refund"),
                currency=payment.currency,
                amount_minor=amount,
                reason=cmd.reason,
                created_at=self.now(),
                created_by=principal.person_id,
            )
            for invoice_id, take in plan.from_invoices:
                invoice = await invoices.get(invoice_id, lock=True)
                assert invoice is not None
                payments.add_allocation(payment.take_back(invoice, take, new_id(), self.now()))
            if payment.provider is not None and payment.provider_ref is not None:
                # Last, once our side is sure to hold. The key names this refund by what was
                # refunded before it, so a retry after a rolled-back commit asks the provider
                # for the same refund again instead of a second one.
                refund.provider = payment.provider
                refund.provider_ref = await self.card_provider(payment.provider).refund(
                    intent_ref=payment.provider_ref,
                    amount_minor=amount,
                    currency=payment.currency,
                    idempotency_key=f"edtech-refund-{payment.id}-{payment.refunded_minor}-{amount}",
                )
            payment.refunded_minor += amount
            SqlAlchemyRefunds(session, inst).add(refund)
            await self.post(
                inst,
                ledger.refund(
                    payment.account_id,
                    refund.id,
                    payment.currency,
                    plan.from_credit_minor,
                    amount - plan.from_credit_minor,
                ),
            )
            await self.commit(refund, before_commit)
            return refund
