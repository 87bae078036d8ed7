"""Repositories of payments (with their allocations), refunds, checkouts and provider events."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.billing.domain.payments import Allocation, Payment, Refund
from edtech.billing.infrastructure import tables as t
from edtech.billing.infrastructure.repositories.common import Scoped
from edtech.kernel.ids import new_id


class SqlAlchemyPayments(Scoped):
    def add(self, payment: Payment) -> None:
        self.session.add(payment)

    def add_allocation(self, allocation: Allocation) -> None:
        """An allocation the payment made (`Payment.allocate` / `take_back`)."""
        self.session.add(allocation)

    async def get(self, id: uuid.UUID, *, lock: bool = False) -> Payment | None:
        return await self._one(Payment, t.payment, id, lock)

    async def with_credit(self, account_id: uuid.UUID) -> list[Payment]:
        """The account's payments with money not yet allocated nor refunded, oldest first,
        locked."""
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

    async def by_provider_ref(self, provider: str, ref: str) -> Payment | None:
        stmt = sa.select(Payment).where(
            t.payment.c.provider == provider, t.payment.c.provider_ref == ref
        )
        return (await self.session.scalars(stmt)).first()

    async def by_reference(self, account_id: uuid.UUID, reference: str) -> Payment | None:
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


class SqlAlchemyRefunds(Scoped):
    def add(self, refund: Refund) -> None:
        self.session.add(refund)


class SqlAlchemyCheckouts(Scoped):
    """Checkouts are rows, not aggregates: nothing about them changes after they start."""

    async def add(
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

    async def remember_event(self, provider: str, event_id: str, at: datetime) -> bool:
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


async def checkout_by_ref(session: AsyncSession, provider: str, ref: str) -> sa.Row[Any] | None:
    """A checkout by the provider's intent reference (webhooks carry no tenant)."""
    stmt = sa.select(t.checkout).where(
        t.checkout.c.provider == provider, t.checkout.c.provider_ref == ref
    )
    return (await session.execute(stmt)).first()
