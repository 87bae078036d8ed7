"""The repository of payer accounts (families and sponsors, with their students)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa

from edtech.billing.domain.accounts import PayerAccount
from edtech.billing.infrastructure import tables as t
from edtech.billing.infrastructure.repositories.common import Scoped


class SqlAlchemyPayerAccounts(Scoped):
    def add(self, account: PayerAccount) -> None:
        self.session.add(account)

    async def get(self, id: uuid.UUID, *, lock: bool = False) -> PayerAccount | None:
        """`lock`: serialise money movements of one account (row lock on PostgreSQL; SQLite
        already serialises writers)."""
        return await self._one(PayerAccount, t.account, id, lock)

    async def on_plan(self, plan_id: uuid.UUID) -> list[PayerAccount]:
        """Accounts with a student on the plan."""
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

    async def family_of(self, student_id: uuid.UUID) -> uuid.UUID | None:
        """The family account the student is on, if any (at most one)."""
        stmt = sa.select(t.account_student.c.account_id).where(
            t.account_student.c.institution_id == self.institution_id,
            t.account_student.c.student_id == student_id,
        )
        found: uuid.UUID | None = await self.session.scalar(stmt)
        return found
