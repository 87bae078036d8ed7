"""Repositories of the fee catalogue: categories, items, plans and grants."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa

from edtech.billing.domain.catalogue import FeeCategory, FeeItem, FeePlan, Grant
from edtech.billing.infrastructure import tables as t
from edtech.billing.infrastructure.repositories.common import Scoped


class SqlAlchemyFeeCategories(Scoped):
    def add(self, category: FeeCategory) -> None:
        self.session.add(category)

    async def get(self, id: uuid.UUID) -> FeeCategory | None:
        return await self._one(FeeCategory, t.fee_category, id, False)

    async def by_id(self) -> dict[uuid.UUID, FeeCategory]:
        """Every category of the institution, by id."""
        stmt = sa.select(FeeCategory).where(t.fee_category.c.institution_id == self.institution_id)
        return {c.id: c for c in (await self.session.scalars(stmt)).all()}


class SqlAlchemyFeeItems(Scoped):
    def add(self, item: FeeItem) -> None:
        self.session.add(item)

    async def get_many(self, ids: Sequence[uuid.UUID]) -> list[FeeItem]:
        """Those of `ids` that exist (in this institution)."""
        stmt = sa.select(FeeItem).where(
            t.fee_item.c.institution_id == self.institution_id, t.fee_item.c.id.in_(list(ids))
        )
        return list((await self.session.scalars(stmt)).all())

    async def all(self) -> list[FeeItem]:
        stmt = sa.select(FeeItem).where(t.fee_item.c.institution_id == self.institution_id)
        return list((await self.session.scalars(stmt)).all())


class SqlAlchemyFeePlans(Scoped):
    def add(self, plan: FeePlan) -> None:
        self.session.add(plan)

    async def get(self, id: uuid.UUID) -> FeePlan | None:
        return await self._one(FeePlan, t.fee_plan, id, False)

    async def all(self) -> list[FeePlan]:
        stmt = sa.select(FeePlan).where(t.fee_plan.c.institution_id == self.institution_id)
        return list((await self.session.scalars(stmt)).all())


class SqlAlchemyGrants(Scoped):
    def add(self, grant: Grant) -> None:
        self.session.add(grant)

    async def of_students(self, student_ids: Sequence[uuid.UUID]) -> list[Grant]:
        stmt = sa.select(Grant).where(
            t.grant.c.institution_id == self.institution_id,
            t.grant.c.student_id.in_(list(student_ids)),
        )
        return list((await self.session.scalars(stmt)).all())
