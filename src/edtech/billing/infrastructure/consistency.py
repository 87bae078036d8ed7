"""The consistency check: the ledger balances, and every balance it gives matches the documents."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.billing.domain.ledger import LedgerAccount
from edtech.billing.infrastructure import tables as t


@dataclass
class ConsistencyReport:
    """`problems` is empty when everything agrees; counts say how much was checked."""

    problems: list[str] = field(default_factory=list)
    transactions: int = 0
    invoices: int = 0
    payments: int = 0
    accounts: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


async def _sums(
    session: AsyncSession,
    group: sa.ColumnElement[object],
    value: sa.ColumnElement[int],
    table: sa.Table,
    inst: uuid.UUID | None,
    *where: sa.ColumnElement[bool],
) -> dict[object, int]:
    stmt = sa.select(group, sa.func.sum(value)).group_by(group).where(*where)
    if inst is not None:
        stmt = stmt.where(table.c.institution_id == inst)
    return {k: int(v or 0) for k, v in (await session.execute(stmt)).all()}


async def check_consistency(
    session: AsyncSession, institution_id: uuid.UUID | None = None
) -> ConsistencyReport:
    """Prove that every ledger transaction sums to zero; that per payer account the receivable
    equals what open invoices still ask for, customer credit equals the payments' unallocated
    money, and cash equals payments less refunds; that each invoice's total, paid and credited
    amounts match its lines, allocations and credit notes, and each payment's allocated and
    refunded amounts match theirs; and that document numbers run 1..N without gaps."""
    r = ConsistencyReport()
    le = t.ledger_entry
    tx = await _sums(session, le.c.transaction_id, le.c.amount_minor, le, institution_id)
    r.transactions = len(tx)
    r.problems += [f"ledger transaction {k} sums to {v}, not 0" for k, v in tx.items() if v]

    ledger: dict[tuple[object, str], int] = defaultdict(int)
    stmt = sa.select(le.c.account_id, le.c.ledger_account, sa.func.sum(le.c.amount_minor)).group_by(
        le.c.account_id, le.c.ledger_account
    )
    if institution_id is not None:
        stmt = stmt.where(le.c.institution_id == institution_id)
    for acc, name, total in (await session.execute(stmt)).all():
        ledger[(acc, name)] = int(total or 0)

    inv = t.invoice
    inv_stmt = sa.select(inv).where(inv.c.status != "draft")
    pay_stmt = sa.select(t.payment)
    acc_stmt = sa.select(t.account.c.id)
    if institution_id is not None:
        inv_stmt = inv_stmt.where(inv.c.institution_id == institution_id)
        pay_stmt = pay_stmt.where(t.payment.c.institution_id == institution_id)
        acc_stmt = acc_stmt.where(t.account.c.institution_id == institution_id)
    invoices = (await session.execute(inv_stmt)).all()
    payments = (await session.execute(pay_stmt)).all()
    accounts = list((await session.scalars(acc_stmt)).all())
    r.invoices, r.payments, r.accounts = len(invoices), len(payments), len(accounts)

    lines = await _sums(
        session,
        t.invoice_line.c.invoice_id,
        t.invoice_line.c.amount_minor,
        t.invoice_line,
        institution_id,
    )
    alloc_inv = await _sums(
        session,
        t.allocation.c.invoice_id,
        t.allocation.c.amount_minor,
        t.allocation,
        institution_id,
    )
    alloc_pay = await _sums(
        session,
        t.allocation.c.payment_id,
        t.allocation.c.amount_minor,
        t.allocation,
        institution_id,
    )
    credits = await _sums(
        session,
        t.credit_note.c.invoice_id,
        t.credit_note.c.amount_minor,
        t.credit_note,
        institution_id,
    )
    refunds = await _sums(
        session, t.refund.c.payment_id, t.refund.c.amount_minor, t.refund, institution_id
    )

    receivable: dict[object, int] = defaultdict(int)
    for i in invoices:
        label = f"invoice {i.number}"
        if lines.get(i.id, 0) != i.total_minor:
            r.problems.append(f"{label}: total {i.total_minor} ≠ lines {lines.get(i.id, 0)}")
        if alloc_inv.get(i.id, 0) != i.paid_minor:
            r.problems.append(
                f"{label}: paid {i.paid_minor} ≠ allocations {alloc_inv.get(i.id, 0)}"
            )
        if credits.get(i.id, 0) != i.credited_minor:
            r.problems.append(
                f"{label}: credited {i.credited_minor} ≠ notes {credits.get(i.id, 0)}"
            )
        due = i.total_minor - i.credited_minor - i.paid_minor
        if due < 0:
            r.problems.append(f"{label}: amount due is negative ({due})")
        if i.status in ("open", "paid"):
            receivable[i.account_id] += due
        if i.status == "paid" and due != 0:
            r.problems.append(f"{label}: paid but {due} still due")

    credit: dict[object, int] = defaultdict(int)
    cash: dict[object, int] = defaultdict(int)
    for p in payments:
        label = f"receipt {p.receipt}"
        if alloc_pay.get(p.id, 0) != p.allocated_minor:
            r.problems.append(f"{label}: allocated {p.allocated_minor} ≠ {alloc_pay.get(p.id, 0)}")
        if refunds.get(p.id, 0) != p.refunded_minor:
            r.problems.append(f"{label}: refunded {p.refunded_minor} ≠ {refunds.get(p.id, 0)}")
        credit[p.account_id] += p.amount_minor - p.allocated_minor - p.refunded_minor
        cash[p.account_id] += p.amount_minor - p.refunded_minor

    for acc in accounts:
        checks = [
            ("receivable", ledger[(acc, LedgerAccount.RECEIVABLE)], receivable[acc]),
            ("customer credit", -ledger[(acc, LedgerAccount.CUSTOMER_CREDIT)], credit[acc]),
            ("cash", ledger[(acc, LedgerAccount.CASH)], cash[acc]),
        ]
        for name, from_ledger, from_documents in checks:
            if from_ledger != from_documents:
                r.problems.append(
                    f"account {acc}: {name} is {from_ledger} in the ledger but "
                    f"{from_documents} from the documents"
                )

    series: list[tuple[sa.Table, sa.Column[int], str]] = [
        (t.invoice, t.invoice.c.number, "invoice"),
        (t.credit_note, t.credit_note.c.number, "credit note"),
        (t.payment, t.payment.c.receipt, "receipt"),
        (t.refund, t.refund.c.number, "refund"),
    ]
    for table, col, name in series:
        stmt = (
            sa.select(
                table.c.institution_id, sa.func.count(col), sa.func.min(col), sa.func.max(col)
            )
            .where(col.is_not(None))
            .group_by(table.c.institution_id)
        )
        if institution_id is not None:
            stmt = stmt.where(table.c.institution_id == institution_id)
        for row in (await session.execute(stmt)).all():
            inst, count, lo, hi = tuple(row)
            if (lo, hi) != (1, count):
                r.problems.append(f"institution {inst}: {name} numbers are not 1..{count}")
    return r
