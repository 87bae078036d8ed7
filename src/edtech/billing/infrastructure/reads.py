"""Read models: statements, aging, ledger listings, and the lookups and pages of the billing
routes (reads bypass the domain; the routes run no SQL of their own)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.billing.domain.accounts import AccountKind, PayerAccount
from edtech.billing.domain.catalogue import FeeCategory, FeeItem, FeePlan
from edtech.billing.domain.invoices import Invoice, credit_note_number, invoice_number
from edtech.billing.domain.ledger import EntryKind, LedgerAccount
from edtech.billing.domain.payments import Payment, receipt_number, refund_number
from edtech.billing.infrastructure import tables as t

# What a movement does to the balance the family owes: receivable and customer credit.
_BALANCE_ACCOUNTS = (LedgerAccount.RECEIVABLE.value, LedgerAccount.CUSTOMER_CREDIT.value)
_LABELS = {
    EntryKind.INVOICE_ISSUED: "Invoice",
    EntryKind.CREDIT_NOTE: "Credit note",
    EntryKind.INVOICE_VOIDED: "Invoice voided",
    EntryKind.INVOICE_WRITTEN_OFF: "Written off",
    EntryKind.PAYMENT_RECEIVED: "Payment",
    EntryKind.REFUND: "Refund",
}


@dataclass(frozen=True)
class StatementLine:
    occurred_at: datetime
    day: date  # the school day it happened on, in the institution's time zone
    kind: str
    document: str
    description: str
    amount_minor: int  # + raises what the family owes, − lowers it
    balance_minor: int


@dataclass(frozen=True)
class Statement:
    account_id: uuid.UUID
    currency: str
    start: date | None
    end: date | None
    opening_minor: int
    closing_minor: int
    lines: list[StatementLine]


async def _documents(session: AsyncSession, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    out: dict[uuid.UUID, str] = {}
    if not ids:
        return out
    for table, col, fmt in (
        (t.invoice, t.invoice.c.number, invoice_number),
        (t.credit_note, t.credit_note.c.number, credit_note_number),
        (t.payment, t.payment.c.receipt, receipt_number),
        (t.refund, t.refund.c.number, refund_number),
    ):
        rows = await session.execute(sa.select(table.c.id, col).where(table.c.id.in_(ids)))
        out.update({r[0]: fmt(r[1]) for r in rows if r[1] is not None})
    return out


async def statement(
    session: AsyncSession,
    institution_id: uuid.UUID,
    account_id: uuid.UUID,
    currency: str,
    start: date | None,
    end: date | None,
    zone: tzinfo,
) -> Statement:
    """Opening balance, every movement between the dates (inclusive), closing balance: all
    derived from the ledger (what the account owes, net of its credit). A movement's day is
    the school's (in `zone`), never the UTC date."""
    le = t.ledger_entry
    effect = sa.func.sum(
        sa.case((le.c.ledger_account.in_(_BALANCE_ACCOUNTS), le.c.amount_minor), else_=0)
    )
    stmt = (
        sa.select(
            le.c.transaction_id,
            le.c.kind,
            le.c.reference_id,
            sa.func.min(le.c.occurred_at).label("at"),
            effect.label("effect"),
        )
        .where(le.c.institution_id == institution_id, le.c.account_id == account_id)
        .group_by(le.c.transaction_id, le.c.kind, le.c.reference_id)
        .order_by(sa.func.min(le.c.occurred_at), le.c.transaction_id)
    )
    rows = (await session.execute(stmt)).all()
    docs = await _documents(session, {r.reference_id for r in rows})
    opening = 0
    balance = 0
    lines: list[StatementLine] = []
    for r in rows:
        amount = int(r.effect or 0)
        day = r.at.astimezone(zone).date()
        if start is not None and day < start:
            opening += amount
            balance += amount
            continue
        if end is not None and day > end:
            continue
        if amount == 0:
            continue  # credit applied to an invoice moves nothing the family owes
        balance += amount
        lines.append(
            StatementLine(
                r.at,
                day,
                r.kind,
                docs.get(r.reference_id, ""),
                _LABELS.get(EntryKind(r.kind), r.kind),
                amount,
                balance,
            )
        )
    return Statement(account_id, currency, start, end, opening, balance, lines)


@dataclass(frozen=True)
class AgingRow:
    account_id: uuid.UUID
    name: str
    current: int
    d1_30: int
    d31_60: int
    d61_90: int
    d90_plus: int

    @property
    def total(self) -> int:
        return self.current + self.d1_30 + self.d31_60 + self.d61_90 + self.d90_plus


async def aging(session: AsyncSession, institution_id: uuid.UUID, as_of: date) -> list[AgingRow]:
    """What each account still owes on open invoices, by days past due on `as_of`."""
    inv = t.invoice
    stmt = (
        sa.select(
            inv.c.account_id,
            t.account.c.name,
            inv.c.due_on,
            (inv.c.total_minor - inv.c.credited_minor - inv.c.paid_minor).label("due"),
        )
        .join(t.account, t.account.c.id == inv.c.account_id)
        .where(inv.c.institution_id == institution_id, inv.c.status == "open")
        .order_by(t.account.c.name, inv.c.account_id)
    )
    buckets: dict[uuid.UUID, list[int]] = {}
    names: dict[uuid.UUID, str] = {}
    for r in (await session.execute(stmt)).all():
        days = (as_of - r.due_on).days
        k = 0 if days <= 0 else 1 if days <= 30 else 2 if days <= 60 else 3 if days <= 90 else 4
        names[r.account_id] = r.name
        buckets.setdefault(r.account_id, [0] * 5)[k] += int(r.due)
    return [AgingRow(a, names[a], *buckets[a]) for a in buckets]


async def ledger_rows(
    session: AsyncSession, institution_id: uuid.UUID, account_id: uuid.UUID
) -> list[Any]:
    le = t.ledger_entry
    stmt = (
        sa.select(
            le.c.transaction_id,
            le.c.kind,
            le.c.reference_id,
            le.c.ledger_account,
            le.c.amount_minor,
            le.c.occurred_at,
        )
        .where(le.c.institution_id == institution_id, le.c.account_id == account_id)
        .order_by(le.c.occurred_at, le.c.transaction_id, le.c.id)
    )
    return list((await session.execute(stmt)).all())


async def account_ids_of_students(
    session: AsyncSession, institution_id: uuid.UUID, student_ids: set[uuid.UUID]
) -> set[uuid.UUID]:
    """Family accounts that bill any of these students."""
    if not student_ids:
        return set()
    s = t.account_student
    rows = await session.scalars(
        sa.select(s.c.account_id).where(
            s.c.institution_id == institution_id, s.c.student_id.in_(student_ids)
        )
    )
    return set(rows.all())


async def account(
    session: AsyncSession, institution_id: uuid.UUID, account_id: uuid.UUID
) -> PayerAccount | None:
    """One of the institution's payer accounts (None: missing or another institution's)."""
    rows = await session.scalars(
        sa.select(PayerAccount).where(
            t.account.c.id == account_id, t.account.c.institution_id == institution_id
        )
    )
    return rows.first()


async def family_account_ids(session: AsyncSession, ids: set[uuid.UUID]) -> set[uuid.UUID]:
    """Those of `ids` that are family accounts (not a sponsor's)."""
    rows = await session.scalars(
        sa.select(t.account.c.id).where(
            t.account.c.id.in_(ids), t.account.c.kind == AccountKind.FAMILY
        )
    )
    return set(rows.all())


async def accounts(
    session: AsyncSession, institution_id: uuid.UUID, only: set[uuid.UUID] | None
) -> list[PayerAccount]:
    """The institution's accounts by name (only those in `only` unless it is None)."""
    stmt = (
        sa.select(PayerAccount)
        .where(t.account.c.institution_id == institution_id)
        .order_by(t.account.c.name, t.account.c.id)
    )
    if only is not None:
        stmt = stmt.where(t.account.c.id.in_(only))
    return list((await session.scalars(stmt)).all())


def invoices_query(
    institution_id: uuid.UUID,
    account_ids: set[uuid.UUID] | None,
    status: str | None,
) -> sa.Select[Any]:
    """The institution's invoices by due date (of `account_ids` unless None, in `status`
    unless None), as one `Invoice` per row, for a page."""
    stmt = sa.select(Invoice).where(t.invoice.c.institution_id == institution_id)
    if account_ids is not None:
        stmt = stmt.where(t.invoice.c.account_id.in_(account_ids))
    if status is not None:
        stmt = stmt.where(t.invoice.c.status == status)
    return stmt.order_by(t.invoice.c.due_on, t.invoice.c.id)


async def invoice(
    session: AsyncSession, institution_id: uuid.UUID, invoice_id: uuid.UUID
) -> Invoice | None:
    """One of the institution's invoices (None: missing or another institution's)."""
    rows = await session.scalars(
        sa.select(Invoice).where(
            t.invoice.c.id == invoice_id, t.invoice.c.institution_id == institution_id
        )
    )
    return rows.first()


def payments_query(institution_id: uuid.UUID, account_ids: set[uuid.UUID] | None) -> sa.Select[Any]:
    """The institution's payments by receipt (of `account_ids` unless None), as one
    `Payment` per row, for a page."""
    stmt = sa.select(Payment).where(t.payment.c.institution_id == institution_id)
    if account_ids is not None:
        stmt = stmt.where(t.payment.c.account_id.in_(account_ids))
    return stmt.order_by(t.payment.c.received_at, t.payment.c.receipt)


async def fee_categories(session: AsyncSession, institution_id: uuid.UUID) -> list[FeeCategory]:
    """The institution's fee categories by code."""
    rows = await session.scalars(
        sa.select(FeeCategory)
        .where(t.fee_category.c.institution_id == institution_id)
        .order_by(t.fee_category.c.code)
    )
    return list(rows.all())


async def fee_items(session: AsyncSession, institution_id: uuid.UUID) -> list[FeeItem]:
    """The institution's fee items by name."""
    rows = await session.scalars(
        sa.select(FeeItem)
        .where(t.fee_item.c.institution_id == institution_id)
        .order_by(t.fee_item.c.name, t.fee_item.c.id)
    )
    return list(rows.all())


async def fee_plans(session: AsyncSession, institution_id: uuid.UUID) -> list[FeePlan]:
    """The institution's fee plans by name."""
    rows = await session.scalars(
        sa.select(FeePlan)
        .where(t.fee_plan.c.institution_id == institution_id)
        .order_by(t.fee_plan.c.name, t.fee_plan.c.id)
    )
    return list(rows.all())
