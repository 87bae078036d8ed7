"""The billing repository: loads and adds aggregates, numbers documents, appends the ledger."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.billing.domain.accounts import PayerAccount
from edtech.billing.domain.catalogue import FeeCategory, FeeItem, FeePlan, Grant
from edtech.billing.domain.invoices import Invoice, InvoiceStatus
from edtech.billing.domain.ledger import LedgerTransaction
from edtech.billing.domain.payments import Allocation, Payment
from edtech.billing.infrastructure import tables as t
from edtech.kernel.ids import new_id
from edtech.platform.db.engine import dialect_insert

T = TypeVar("T")


class SqlBilling:
    """Every query is scoped to the institution; other tenants' ids look missing."""

    def __init__(self, session: AsyncSession, institution_id: uuid.UUID) -> None:
        self.session = session
        self.institution_id = institution_id

    def add(self, obj: object) -> None:
        self.session.add(obj)

    async def _one(self, cls: type[T], table: sa.Table, id: uuid.UUID, lock: bool) -> T | None:
        stmt = sa.select(cls).where(table.c.id == id, table.c.institution_id == self.institution_id)
        if lock:  # re-read under the lock: what we saw before may have changed
            stmt = stmt.with_for_update().execution_options(populate_existing=True)
        found: T | None = (await self.session.scalars(stmt)).first()
        return found

    async def category(self, id: uuid.UUID) -> FeeCategory | None:
        return await self._one(FeeCategory, t.fee_category, id, False)

    async def categories(self) -> dict[uuid.UUID, FeeCategory]:
        stmt = sa.select(FeeCategory).where(t.fee_category.c.institution_id == self.institution_id)
        return {c.id: c for c in (await self.session.scalars(stmt)).all()}

    async def items(self, ids: Sequence[uuid.UUID]) -> list[FeeItem]:
        stmt = sa.select(FeeItem).where(
            t.fee_item.c.institution_id == self.institution_id, t.fee_item.c.id.in_(list(ids))
        )
        return list((await self.session.scalars(stmt)).all())

    async def all_items(self) -> list[FeeItem]:
        stmt = sa.select(FeeItem).where(t.fee_item.c.institution_id == self.institution_id)
        return list((await self.session.scalars(stmt)).all())

    async def plan(self, id: uuid.UUID) -> FeePlan | None:
        return await self._one(FeePlan, t.fee_plan, id, False)

    async def plans(self) -> list[FeePlan]:
        stmt = sa.select(FeePlan).where(t.fee_plan.c.institution_id == self.institution_id)
        return list((await self.session.scalars(stmt)).all())

    async def grants_for(self, student_ids: Sequence[uuid.UUID]) -> list[Grant]:
        stmt = sa.select(Grant).where(
            t.grant.c.institution_id == self.institution_id,
            t.grant.c.student_id.in_(list(student_ids)),
        )
        return list((await self.session.scalars(stmt)).all())

    async def account(self, id: uuid.UUID, *, lock: bool = False) -> PayerAccount | None:
        """`lock`: serialise money movements of one account (row lock on PostgreSQL; SQLite
        already serialises writers)."""
        return await self._one(PayerAccount, t.account, id, lock)

    async def accounts_on_plan(self, plan_id: uuid.UUID) -> list[PayerAccount]:
        stmt = (
            sa.select(PayerAccount)
            .join(t.account_student, t.account_student.c.account_id == t.account.c.id)
            .where(
                t.account.c.institution_id == self.institution_id,
                t.account_student.c.fee_plan_id == plan_id,
            )
            .distinct()
            .order_by(t.account.c.id)
        )
        return list((await self.session.scalars(stmt)).all())

    async def sponsors_of(self, student_ids: Sequence[uuid.UUID]) -> list[PayerAccount]:
        stmt = (
            sa.select(PayerAccount)
            .join(t.sponsorship, t.sponsorship.c.account_id == t.account.c.id)
            .where(
                t.account.c.institution_id == self.institution_id,
                t.sponsorship.c.student_id.in_(list(student_ids)),
            )
            .distinct()
        )
        return list((await self.session.scalars(stmt)).all())

    async def student_account(self, student_id: uuid.UUID) -> uuid.UUID | None:
        stmt = sa.select(t.account_student.c.account_id).where(
            t.account_student.c.institution_id == self.institution_id,
            t.account_student.c.student_id == student_id,
        )
        found: uuid.UUID | None = await self.session.scalar(stmt)
        return found

    async def invoice(self, id: uuid.UUID, *, lock: bool = False) -> Invoice | None:
        return await self._one(Invoice, t.invoice, id, lock)

    async def invoiced_installments(self, installment_id: uuid.UUID) -> set[uuid.UUID]:
        stmt = sa.select(t.invoice.c.account_id).where(
            t.invoice.c.institution_id == self.institution_id,
            t.invoice.c.installment_id == installment_id,
        )
        return set((await self.session.scalars(stmt)).all())

    async def invoices_of(self, account_id: uuid.UUID) -> list[Invoice]:
        """Every invoice of the account, the earliest due first."""
        stmt = (
            sa.select(Invoice)
            .where(
                t.invoice.c.institution_id == self.institution_id,
                t.invoice.c.account_id == account_id,
            )
            .order_by(t.invoice.c.due_on, t.invoice.c.number)
        )
        return list((await self.session.scalars(stmt)).all())

    async def open_invoices(self, account_id: uuid.UUID) -> list[Invoice]:
        stmt = (
            sa.select(Invoice)
            .where(
                t.invoice.c.institution_id == self.institution_id,
                t.invoice.c.account_id == account_id,
                t.invoice.c.status == InvoiceStatus.OPEN,
            )
            .order_by(t.invoice.c.due_on, t.invoice.c.number)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return list((await self.session.scalars(stmt)).all())

    async def overdue_candidates(self, today: date) -> list[Invoice]:
        stmt = (
            sa.select(Invoice)
            .where(
                t.invoice.c.institution_id == self.institution_id,
                t.invoice.c.status == InvoiceStatus.OPEN,
                t.invoice.c.due_on < today,
            )
            .order_by(t.invoice.c.due_on, t.invoice.c.number)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return list((await self.session.scalars(stmt)).all())

    async def payment(self, id: uuid.UUID, *, lock: bool = False) -> Payment | None:
        return await self._one(Payment, t.payment, id, lock)

    async def payments_with_credit(self, account_id: uuid.UUID) -> list[Payment]:
        stmt = (
            sa.select(Payment)
            .where(
                t.payment.c.institution_id == self.institution_id,
                t.payment.c.account_id == account_id,
                t.payment.c.amount_minor > t.payment.c.allocated_minor + t.payment.c.refunded_minor,
            )
            .order_by(t.payment.c.received_at, t.payment.c.receipt)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return list((await self.session.scalars(stmt)).all())

    async def payment_by_provider_ref(self, provider: str, ref: str) -> Payment | None:
        stmt = sa.select(Payment).where(
            t.payment.c.provider == provider, t.payment.c.provider_ref == ref
        )
        return (await self.session.scalars(stmt)).first()

    async def payment_by_reference(self, account_id: uuid.UUID, reference: str) -> Payment | None:
        stmt = sa.select(Payment).where(
            t.payment.c.institution_id == self.institution_id,
            t.payment.c.account_id == account_id,
            t.payment.c.reference == reference,
        )
        return (await self.session.scalars(stmt)).first()

    async def allocations_of(self, payment_id: uuid.UUID) -> list[Allocation]:
        stmt = (
            sa.select(Allocation)
            .where(
                t.allocation.c.institution_id == self.institution_id,
                t.allocation.c.payment_id == payment_id,
            )
            .order_by(t.allocation.c.created_at, t.allocation.c.id)
        )
        return list((await self.session.scalars(stmt)).all())

    async def next_number(self, name: str) -> int:
        """The next number of a gapless series (invoice, credit_note, receipt, refund).

        The counter row is updated inside the caller's transaction, so a rolled-back
        transaction gives its number back and concurrent ones queue on the row lock.
        """
        seq = t.sequence
        where = (seq.c.institution_id == self.institution_id, seq.c.name == name)
        bump = (
            sa.update(seq)
            .where(*where)
            .values(last_value=seq.c.last_value + 1)
            .returning(seq.c.last_value)
        )
        value = (await self.session.execute(bump)).scalar_one_or_none()
        if value is not None:
            return int(value)
        stmt = dialect_insert(self.session)(seq).values(
            institution_id=self.institution_id, name=name, last_value=0
        )
        await self.session.execute(stmt.on_conflict_do_nothing())
        return int((await self.session.execute(bump)).scalar_one())

    async def post(self, tx: LedgerTransaction, at: datetime) -> None:
        """Append a balanced transaction to the ledger (rows are never updated or deleted)."""
        tx_id = new_id()
        await self.session.execute(
            sa.insert(t.ledger_entry),
            [
                {
                    "id": new_id(),
                    "institution_id": self.institution_id,
                    "transaction_id": tx_id,
                    "account_id": tx.account_id,
                    "kind": str(tx.kind),
                    "reference_id": tx.reference_id,
                    "ledger_account": str(p.ledger_account),
                    "amount_minor": p.amount_minor,
                    "currency": tx.currency,
                    "occurred_at": at,
                }
                for p in tx.postings
            ],
        )

    async def add_checkout(
        self,
        *,
        account_id: uuid.UUID,
        provider: str,
        ref: str,
        amount_minor: int,
        currency: str,
        at: datetime,
    ) -> uuid.UUID:
        checkout_id = new_id()
        await self.session.execute(
            sa.insert(t.checkout).values(
                id=checkout_id,
                institution_id=self.institution_id,
                account_id=account_id,
                provider=provider,
                provider_ref=ref,
                amount_minor=amount_minor,
                currency=currency,
                created_at=at,
            )
        )
        return checkout_id

    async def remember_provider_event(self, provider: str, event_id: str, at: datetime) -> bool:
        """True the first time a provider event is seen; False for a replay."""
        try:
            async with self.session.begin_nested():
                await self.session.execute(
                    sa.insert(t.provider_event).values(
                        provider=provider,
                        event_id=event_id,
                        institution_id=self.institution_id,
                        received_at=at,
                    )
                )
        except IntegrityError:
            return False
        return True


async def institutions_with_overdue(session: AsyncSession, today: date) -> list[uuid.UUID]:
    """Institutions that have open invoices past due (the overdue job visits each)."""
    stmt = (
        sa.select(t.invoice.c.institution_id)
        .where(t.invoice.c.status == InvoiceStatus.OPEN, t.invoice.c.due_on < today)
        .distinct()
    )
    return list((await session.scalars(stmt)).all())


async def checkout_by_ref(session: AsyncSession, provider: str, ref: str) -> sa.Row[Any] | None:
    """A checkout by the provider's intent reference (webhooks carry no tenant)."""
    stmt = sa.select(t.checkout).where(
        t.checkout.c.provider == provider, t.checkout.c.provider_ref == ref
    )
    return (await session.execute(stmt)).first()
