"""What billing hands other slices about its records: the facts a receipt prints, and a
student's bills for their record package (set-based reads, Core)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.billing.domain.invoices import invoice_number
from edtech.billing.domain.money import Money
from edtech.billing.domain.payments import receipt_number
from edtech.billing.infrastructure.tables import (
    account,
    account_student,
    allocation,
    invoice,
    invoice_line,
    payment,
)


@dataclass(frozen=True)
class ReceiptFacts:
    """What a payment's receipt says."""

    payment_id: uuid.UUID
    institution_id: uuid.UUID
    account_id: uuid.UUID
    account_name: str
    receipt_number: str
    amount: str
    """The amount with exactly the currency's decimals, e.g. "125.50"."""
    currency: str
    method: str
    reference: str
    received_at: datetime
    allocations: tuple[tuple[str, str], ...]
    """(invoice number, amount) for each invoice the payment went to."""
    unallocated: str
    student_ids: tuple[uuid.UUID, ...]


async def receipt_facts(
    session: AsyncSession, institution_id: uuid.UUID, payment_id: uuid.UUID
) -> ReceiptFacts | None:
    row = (
        await session.execute(
            sa.select(payment, account.c.name.label("account_name"))
            .join(account, account.c.id == payment.c.account_id)
            .where(payment.c.institution_id == institution_id, payment.c.id == payment_id)
        )
    ).first()
    if row is None:
        return None
    parts = (
        await session.execute(
            sa.select(invoice.c.number, allocation.c.amount_minor)
            .join(invoice, invoice.c.id == allocation.c.invoice_id)
            .where(allocation.c.payment_id == payment_id)
            .order_by(invoice.c.number)
        )
    ).all()
    students = await session.scalars(
        sa.select(account_student.c.student_id)
        .where(account_student.c.account_id == row.account_id)
        .order_by(account_student.c.student_id)
    )
    cur = row.currency
    return ReceiptFacts(
        payment_id=row.id,
        institution_id=row.institution_id,
        account_id=row.account_id,
        account_name=row.account_name,
        receipt_number=receipt_number(row.receipt),
        amount=Money(row.amount_minor, cur).format(),
        currency=cur,
        method=row.method.value if hasattr(row.method, "value") else str(row.method),
        reference=row.reference,
        received_at=row.received_at,
        allocations=tuple(
            (invoice_number(p.number), Money(p.amount_minor, cur).format()) for p in parts
        ),
        unallocated=Money(row.amount_minor - row.allocated_minor, cur).format(),
        student_ids=tuple(students.all()),
    )


@dataclass(frozen=True)
class InvoiceFacts:
    """What an issued invoice's PDF says (amounts with exactly the currency's decimals)."""

    invoice_id: uuid.UUID
    institution_id: uuid.UUID
    account_name: str
    number: str
    status: str
    currency: str
    memo: str
    issued_at: datetime | None
    due_on: date
    lines: tuple[tuple[str, str], ...]
    """(description, amount) in the invoice's order; discounts are negative."""
    total: str
    paid: str
    credited: str
    written_off: str
    amount_due: str
    student_ids: tuple[uuid.UUID, ...]


async def invoice_facts(
    session: AsyncSession, institution_id: uuid.UUID, invoice_id: uuid.UUID
) -> InvoiceFacts | None:
    """An issued invoice (a draft has no number and no document: None), or None if unknown."""
    row = (
        await session.execute(
            sa.select(invoice, account.c.name.label("account_name"))
            .join(account, account.c.id == invoice.c.account_id)
            .where(
                invoice.c.institution_id == institution_id,
                invoice.c.id == invoice_id,
                invoice.c.number.is_not(None),
            )
        )
    ).first()
    if row is None:
        return None
    lines = (
        await session.execute(
            sa.select(invoice_line.c.description, invoice_line.c.amount_minor)
            .where(invoice_line.c.invoice_id == invoice_id)
            .order_by(invoice_line.c.seq)
        )
    ).all()
    students = await session.scalars(
        sa.select(account_student.c.student_id)
        .where(account_student.c.account_id == row.account_id)
        .order_by(account_student.c.student_id)
    )
    cur = row.currency
    settled = row.paid_minor + row.credited_minor + row.written_off_minor
    status = str(getattr(row.status, "value", row.status))
    due = 0 if status == "void" else max(row.total_minor - settled, 0)
    return InvoiceFacts(
        invoice_id=row.id,
        institution_id=row.institution_id,
        account_name=row.account_name,
        number=invoice_number(row.number),
        status=status,
        currency=cur,
        memo=row.memo,
        issued_at=row.issued_at,
        due_on=row.due_on,
        lines=tuple((ln.description, Money(ln.amount_minor, cur).format()) for ln in lines),
        total=Money(row.total_minor, cur).format(),
        paid=Money(row.paid_minor, cur).format(),
        credited=Money(row.credited_minor, cur).format(),
        written_off=Money(row.written_off_minor, cur).format(),
        amount_due=Money(due, cur).format(),
        student_ids=tuple(students.all()),
    )


def _rows(result: Any) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in result]


async def student_billing_record(
    session: AsyncSession, institution_id: uuid.UUID, student_id: uuid.UUID
) -> dict[str, list[dict[str, Any]]]:
    """The payer accounts the student is on, their invoices (with only this student's and the
    account's own lines: a sibling's lines stay out) and their payments."""
    account_ids = sa.select(account_student.c.account_id).where(
        account_student.c.institution_id == institution_id,
        account_student.c.student_id == student_id,
    )
    accounts = _rows(
        await session.execute(
            sa.select(account).where(account.c.id.in_(account_ids)).order_by(account.c.created_at)
        )
    )
    invoices = _rows(
        await session.execute(
            sa.select(invoice)
            .where(invoice.c.account_id.in_(account_ids), invoice.c.status != "draft")
            .order_by(invoice.c.created_at, invoice.c.id)
        )
    )
    lines = _rows(
        await session.execute(
            sa.select(invoice_line)
            .where(
                invoice_line.c.invoice_id.in_([i["id"] for i in invoices] or [uuid.UUID(int=0)]),
                sa.or_(
                    invoice_line.c.student_id == student_id, invoice_line.c.student_id.is_(None)
                ),
            )
            .order_by(invoice_line.c.invoice_id, invoice_line.c.seq)
        )
    )
    for i in invoices:
        i["number"] = invoice_number(i["number"]) if i["number"] is not None else None
    payments = _rows(
        await session.execute(
            sa.select(payment)
            .where(payment.c.account_id.in_(account_ids))
            .order_by(payment.c.received_at, payment.c.id)
        )
    )
    for p in payments:
        p["receipt"] = receipt_number(p["receipt"])
    return {
        "payer_accounts": accounts,
        "invoices": invoices,
        "invoice_lines": lines,
        "payments": payments,
    }
