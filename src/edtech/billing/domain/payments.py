"""Payments, their allocations to invoices, account credit and refunds."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from edtech.billing.domain.events import PaymentReceived, PaymentRefunded
from edtech.billing.domain.invoices import Invoice, InvoiceStatus
from edtech.kernel.errors import FieldProblem, InvalidError
from edtech.kernel.events import Aggregate


class PaymentMethod(enum.StrEnum):
    CASH = "cash"
    CHEQUE = "cheque"
    BANK_TRANSFER = "bank_transfer"
    CARD = "card"  # through the payment provider


def receipt_number(n: int) -> str:
    return f"RCP-{n:06d}"


def refund_number(n: int) -> str:
    return f"RFD-{n:06d}"


class AllocationKind(enum.StrEnum):
    PAYMENT = "payment"  # allocated when the payment arrived
    CREDIT = "credit"  # account credit applied later to a newly issued invoice
    REFUND = "refund"  # a refund took an allocation back (negative amount)


class Allocation:
    """An append-only movement of a payment's money onto (or, negative, off) an invoice."""

    def __init__(
        self,
        *,
        id: uuid.UUID,
        institution_id: uuid.UUID,
        account_id: uuid.UUID,
        payment_id: uuid.UUID,
        invoice_id: uuid.UUID,
        kind: AllocationKind,
        amount_minor: int,
        created_at: datetime,
    ) -> None:
        self.id = id
        self.institution_id = institution_id
        self.account_id = account_id
        self.payment_id = payment_id
        self.invoice_id = invoice_id
        self.kind = AllocationKind(kind)
        self.amount_minor = amount_minor
        self.created_at = created_at


class OverRefundError(InvalidError):
    code = "refund_exceeds_payment"


class Payment(Aggregate):
    """Money received for a payer account, with a gapless receipt number.

    allocated = what sits on invoices; refunded = what went back; the rest is account credit.
    """

    def __init__(
        self,
        *,
        id: uuid.UUID,
        institution_id: uuid.UUID,
        account_id: uuid.UUID,
        amount_minor: int,
        currency: str,
        method: PaymentMethod,
        reference: str,
        receipt: int,
        received_at: datetime,
        recorded_by: uuid.UUID | None,
        provider: str | None = None,
        provider_ref: str | None = None,
    ) -> None:
        if amount_minor <= 0:
            raise InvalidError(
                "A payment must be positive.",
                [FieldProblem(("amount",), "must be greater than zero")],
            )
        self.id = id
        self.institution_id = institution_id
        self.account_id = account_id
        self.amount_minor = amount_minor
        self.currency = currency
        self.method = PaymentMethod(method)
        self.reference = reference
        self.receipt = receipt
        self.received_at = received_at
        self.recorded_by = recorded_by
        self.provider = provider
        self.provider_ref = provider_ref
        self.allocated_minor = 0
        self.refunded_minor = 0

    @property
    def receipt_number(self) -> str:
        return receipt_number(self.receipt)

    @property
    def unallocated_minor(self) -> int:
        """The part of this payment that is account credit right now."""
        return self.amount_minor - self.allocated_minor - self.refunded_minor

    def allocate(
        self,
        invoice: Invoice,
        amount_minor: int,
        kind: AllocationKind,
        allocation_id: uuid.UUID,
        now: datetime,
    ) -> Allocation:
        """Put part of the unallocated money on an open invoice of the same account."""
        if invoice.account_id != self.account_id or invoice.currency != self.currency:
            raise InvalidError("A payment only pays invoices of its own account and currency.")
        if amount_minor > self.unallocated_minor:
            raise InvalidError("Cannot allocate more than the payment has left.")
        invoice.apply_payment(amount_minor, now)
        self.allocated_minor += amount_minor
        return Allocation(
            id=allocation_id,
            institution_id=self.institution_id,
            account_id=self.account_id,
            payment_id=self.id,
            invoice_id=invoice.id,
            kind=kind,
            amount_minor=amount_minor,
            created_at=now,
        )

    def take_back(
        self, invoice: Invoice, amount_minor: int, allocation_id: uuid.UUID, now: datetime
    ) -> Allocation:
        """A refund takes money back off an invoice this payment paid (the invoice is due again)."""
        invoice.reverse_payment(amount_minor)
        self.allocated_minor -= amount_minor
        return Allocation(
            id=allocation_id,
            institution_id=self.institution_id,
            account_id=self.account_id,
            payment_id=self.id,
            invoice_id=invoice.id,
            kind=AllocationKind.REFUND,
            amount_minor=-amount_minor,
            created_at=now,
        )

    def received(self, now: datetime, recipients: tuple[uuid.UUID, ...] = ()) -> None:
        """Record the arrival event once the payment's allocations are decided."""
        self.record(
            PaymentReceived(
                institution_id=self.institution_id,
                occurred_at=now,
                payment_id=self.id,
                account_id=self.account_id,
                receipt_number=self.receipt_number,
                currency=self.currency,
                amount_minor=self.amount_minor,
                allocated_minor=self.allocated_minor,
                method=str(self.method),
                recipients=recipients,
            )
        )


@dataclass(frozen=True)
class RefundPlan:
    """How a refund is funded: first from the payment's account credit, then by taking
    allocations back from invoices, most recent first."""

    from_credit_minor: int
    from_invoices: list[tuple[uuid.UUID, int]]


def plan_refund(
    payment: Payment, amount_minor: int, net_by_invoice: Sequence[tuple[uuid.UUID, int]]
) -> RefundPlan:
    """`net_by_invoice`: what the payment still has on each invoice, oldest allocation first.

    A refund is positive and at most what was paid and not yet refunded.
    """
    refundable = payment.amount_minor - payment.refunded_minor
    if amount_minor <= 0:
        raise InvalidError(
            "A refund must be positive.", [FieldProblem(("amount",), "must be greater than zero")]
        )
    if amount_minor > refundable:
        raise OverRefundError(
            f"Cannot refund more than was paid: {refundable} minor units are refundable.",
            [FieldProblem(("amount",), f"must be at most {refundable} minor units")],
        )
    from_credit = min(amount_minor, payment.unallocated_minor)
    left = amount_minor - from_credit
    taken: list[tuple[uuid.UUID, int]] = []
    for invoice_id, net in reversed(net_by_invoice):
        if left == 0:
            break
        take = min(left, net)
        if take > 0:
            taken.append((invoice_id, take))
            left -= take
    if left:
        raise OverRefundError(
            "Part of this payment sits on invoices that can no longer give it back "
            f"(written off); at most {amount_minor - left} minor units can be refunded.",
            [FieldProblem(("amount",), f"must be at most {amount_minor - left} minor units")],
        )
    return RefundPlan(from_credit, taken)


class Refund(Aggregate):
    """Money given back from one payment, with its own gapless number."""

    def __init__(
        self,
        *,
        id: uuid.UUID,
        institution_id: uuid.UUID,
        account_id: uuid.UUID,
        payment_id: uuid.UUID,
        number: int,
        currency: str,
        amount_minor: int,
        reason: str,
        created_at: datetime,
        created_by: uuid.UUID | None,
        provider: str | None = None,
        provider_ref: str | None = None,
    ) -> None:
        self.id = id
        self.institution_id = institution_id
        self.account_id = account_id
        self.payment_id = payment_id
        self.provider = provider
        self.provider_ref = provider_ref
        """The card provider that gave the money back and its id for the refund (Stripe's
        `re_…`), to reconcile with the provider's dashboard; None for cash and transfers."""
        self.number = number
        self.currency = currency
        self.amount_minor = amount_minor
        self.reason = reason
        self.created_at = created_at
        self.created_by = created_by
        self.record(
            PaymentRefunded(
                institution_id=institution_id,
                occurred_at=created_at,
                refund_id=id,
                payment_id=payment_id,
                account_id=account_id,
                number=refund_number(number),
                currency=currency,
                amount_minor=amount_minor,
            )
        )


def oldest_first(invoices: Sequence[Invoice], amount_minor: int) -> list[tuple[Invoice, int]]:
    """Spread money over open invoices, the oldest due date (then number) first."""
    plan: list[tuple[Invoice, int]] = []
    left = amount_minor
    ordered = sorted(
        (i for i in invoices if i.status == InvoiceStatus.OPEN and i.amount_due_minor > 0),
        key=lambda i: (i.due_on, i.number or 0),
    )
    for inv in ordered:
        if left == 0:
            break
        take = min(left, inv.amount_due_minor)
        plan.append((inv, take))
        left -= take
    return plan
