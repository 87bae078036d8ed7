"""Repositories of invoices and credit notes."""

from __future__ import annotations

import uuid
from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.billing.domain.invoices import CreditNote, Invoice, InvoiceStatus
from edtech.billing.infrastructure import tables as t
from edtech.billing.infrastructure.repositories.common import Scoped


class SqlAlchemyInvoices(Scoped):
    def add(self, invoice: Invoice) -> None:
        self.session.add(invoice)

    async def get(self, id: uuid.UUID, *, lock: bool = False) -> Invoice | None:
        return await self._one(Invoice, t.invoice, id, lock)

    async def accounts_billed_for(self, installment_id: uuid.UUID) -> set[uuid.UUID]:
        """The accounts already invoiced for this instalment."""
        stmt = sa.select(t.invoice.c.account_id).where(
            t.invoice.c.institution_id == self.institution_id,
            t.invoice.c.installment_id == installment_id,
        )
        return set((await self.session.scalars(stmt)).all())

    async def of_account(self, account_id: uuid.UUID) -> list[Invoice]:
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

    async def open_of(self, account_id: uuid.UUID) -> list[Invoice]:
        """The account's open invoices, the earliest due first, locked."""
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

    async def overdue(self, today: date) -> list[Invoice]:
        """Open invoices due before `today`, locked (nodes running the job at once queue)."""
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


async def institutions_with_overdue(session: AsyncSession, today: date) -> list[uuid.UUID]:
    """Institutions that have open invoices past due (the overdue job visits each)."""
    stmt = (
        sa.select(t.invoice.c.institution_id)
        .where(t.invoice.c.status == InvoiceStatus.OPEN, t.invoice.c.due_on < today)
        .distinct()
    )
    return list((await session.scalars(stmt)).all())


class SqlAlchemyCreditNotes(Scoped):
    def add(self, note: CreditNote) -> None:
        self.session.add(note)
