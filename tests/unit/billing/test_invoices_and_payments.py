"""Invoice lifecycle, credit notes, allocations, refunds and ledger transactions (no I/O)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from edtech.billing.domain import ledger
from edtech.billing.domain.events import InvoiceIssued, InvoicePaid, PaymentReceived
from edtech.billing.domain.invoices import (
    Invoice,
    InvoiceImmutableError,
    InvoiceStateError,
    InvoiceStatus,
    LineKind,
)
from edtech.billing.domain.payments import (
    AllocationKind,
    OverRefundError,
    Payment,
    PaymentMethod,
    oldest_first,
    plan_refund,
)
from edtech.kernel.errors import InvalidError

NOW = datetime(2026, 1, 10, 9, tzinfo=UTC)
INST, ACCOUNT = uuid.uuid4(), uuid.uuid4()


def invoice(amount: int = 10_000, due: date = date(2026, 2, 1), number: int | None = 1) -> Invoice:
    inv = Invoice(
        id=uuid.uuid4(),
        institution_id=INST,
        account_id=ACCOUNT,
        currency="EUR",
        due_on=due,
        created_at=NOW,
    )
    inv.add_line(
        line_id=uuid.uuid4(), kind=LineKind.FEE, description="Tuition", amount_minor=amount
    )
    if number is not None:
        inv.finalize(number, NOW)
    return inv


def payment(amount: int) -> Payment:
    return Payment(
        id=uuid.uuid4(),
        institution_id=INST,
        account_id=ACCOUNT,
        amount_minor=amount,
        currency="EUR",
        method=PaymentMethod.CASH,
        reference="",
        receipt=1,
        received_at=NOW,
        recorded_by=None,
    )


def test_finalize_numbers_and_freezes_the_invoice() -> None:
    inv = invoice()
    assert inv.status == InvoiceStatus.OPEN
    assert inv.display_number == "INV-000001"
    assert isinstance(inv.pull_events()[0], InvoiceIssued)
    with pytest.raises(InvoiceImmutableError):
        inv.add_line(line_id=uuid.uuid4(), kind=LineKind.MANUAL, description="x", amount_minor=1)


def test_an_empty_or_negative_draft_cannot_be_issued() -> None:
    empty = Invoice(
        id=uuid.uuid4(),
        institution_id=INST,
        account_id=ACCOUNT,
        currency="EUR",
        due_on=date(2026, 1, 1),
        created_at=NOW,
    )
    with pytest.raises(InvalidError):
        empty.finalize(1, NOW)
    empty.add_line(
        line_id=uuid.uuid4(), kind=LineKind.MANUAL, description="refund?", amount_minor=-5
    )
    with pytest.raises(InvalidError):
        empty.finalize(1, NOW)


def test_credit_note_lowers_due_without_touching_lines() -> None:
    inv = invoice(10_000)
    inv.credit(2_500, NOW)
    assert (inv.total_minor, inv.amount_due_minor) == (10_000, 7_500)
    assert [ln.amount_minor for ln in inv.lines] == [10_000]
    with pytest.raises(InvalidError):
        inv.credit(7_501, NOW)


def test_paying_the_rest_marks_paid_and_a_refund_reopens() -> None:
    inv = invoice(10_000)
    inv.pull_events()
    p = payment(10_000)
    p.allocate(inv, 10_000, AllocationKind.PAYMENT, uuid.uuid4(), NOW)
    assert inv.status == InvoiceStatus.PAID
    assert isinstance(inv.pull_events()[0], InvoicePaid)
    p.take_back(inv, 4_000, uuid.uuid4(), NOW)
    assert (inv.status, inv.amount_due_minor, p.unallocated_minor) == (
        InvoiceStatus.OPEN,
        4_000,
        4_000,
    )


def test_void_and_uncollectible_rules() -> None:
    inv = invoice(10_000)
    payment(1).allocate(inv, 1, AllocationKind.PAYMENT, uuid.uuid4(), NOW)
    with pytest.raises(InvoiceStateError):
        inv.void(NOW)
    clean = invoice(10_000)
    assert clean.void(NOW) == 10_000
    with pytest.raises(InvoiceStateError):
        payment(5).allocate(clean, 5, AllocationKind.PAYMENT, uuid.uuid4(), NOW)
    other = invoice(10_000)
    assert other.mark_uncollectible(NOW) == 10_000
    assert other.amount_due_minor == 0


def test_oldest_first_allocation_and_credit() -> None:
    late = invoice(5_000, date(2026, 3, 1), number=2)
    early = invoice(3_000, date(2026, 2, 1), number=1)
    plan = oldest_first([late, early], 6_000)
    assert [(i.display_number, amt) for i, amt in plan] == [
        ("INV-000001", 3_000),
        ("INV-000002", 3_000),
    ]
    p = payment(10_000)
    for inv, amt in oldest_first([late, early], 10_000):
        p.allocate(inv, amt, AllocationKind.PAYMENT, uuid.uuid4(), NOW)
    p.received(NOW)
    assert p.unallocated_minor == 2_000
    event = p.pull_events()[0]
    assert isinstance(event, PaymentReceived)
    assert event.allocated_minor == 8_000


def test_refund_comes_from_credit_first_then_latest_invoice() -> None:
    p = payment(10_000)
    a, b = invoice(3_000, number=1), invoice(5_000, number=2)
    p.allocate(a, 3_000, AllocationKind.PAYMENT, uuid.uuid4(), NOW)
    p.allocate(b, 5_000, AllocationKind.PAYMENT, uuid.uuid4(), NOW)
    plan = plan_refund(p, 6_000, [(a.id, 3_000), (b.id, 5_000)])
    assert plan.from_credit_minor == 2_000
    assert plan.from_invoices == [(b.id, 4_000)]
    with pytest.raises(OverRefundError):
        plan_refund(p, 10_001, [])
    with pytest.raises(InvalidError):
        plan_refund(p, 0, [])


def test_zero_or_negative_payment_is_refused() -> None:
    with pytest.raises(InvalidError):
        payment(0)


def test_ledger_transactions_balance() -> None:
    acc, ref = uuid.uuid4(), uuid.uuid4()
    tx = ledger.invoice_issued(acc, ref, "EUR", [10_000, 2_000, -1_500])
    assert sum(p.amount_minor for p in tx.postings) == 0
    pay = ledger.payment_received(acc, ref, "EUR", 12_000, 10_500)
    back = ledger.refund(acc, ref, "EUR", 1_500, 500)
    b = ledger.balances(
        (p.ledger_account, p.amount_minor) for t in (tx, pay, back) for p in t.postings
    )
    assert (b.receivable, b.customer_credit, b.cash) == (500, 0, 10_000)
    with pytest.raises(ledger.UnbalancedTransactionError):
        ledger.LedgerTransaction(
            ledger.EntryKind.REFUND,
            acc,
            ref,
            "EUR",
            (ledger.Posting(ledger.LedgerAccount.CASH, 1),),
        )
