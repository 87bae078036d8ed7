"""The use case that prices a fee item."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from edtech.billing.application.common import CatalogueUseCase, require_manager
from edtech.billing.domain.catalogue import FeeItem, Target
from edtech.billing.domain.money import Money
from edtech.billing.infrastructure.repositories.catalogue import (
    SqlAlchemyFeeCategories,
    SqlAlchemyFeeItems,
)
from edtech.kernel.errors import FieldProblem, InvalidError
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Principal


@dataclass(frozen=True)
class NewFeeItem:
    category_id: uuid.UUID
    name: str
    amount: str
    currency: str | None = None
    target: Target = Target.EVERYONE
    target_value: str | None = None


class DefineFeeItem(CatalogueUseCase):
    """A fee item is priced in the institution's currency, exactly (no silent rounding)."""

    async def __call__(self, principal: Principal, cmd: NewFeeItem) -> FeeItem:
        require_manager(principal)
        async with self.uow:
            currency = await self.institution_currency(principal.institution_id, cmd.currency)
            categories = SqlAlchemyFeeCategories(self.uow.session, principal.institution_id)
            if await categories.get(cmd.category_id) is None:
                raise InvalidError(
                    "Unknown fee category.", [FieldProblem(("category_id",), "no such category")]
                )
            amount = Money.parse(cmd.amount, currency)
            item = FeeItem(
                id=new_id(),
                institution_id=principal.institution_id,
                category_id=cmd.category_id,
                name=cmd.name,
                amount_minor=amount.minor,
                currency=currency,
                target=cmd.target,
                target_value=cmd.target_value,
            )
            SqlAlchemyFeeItems(self.uow.session, principal.institution_id).add(item)
            await self.uow.commit()
            return item
