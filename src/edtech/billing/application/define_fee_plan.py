"""The use case that defines a fee plan and its instalments."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from edtech.billing.application.common import CatalogueUseCase, require_manager
from edtech.billing.domain.catalogue import FeePlan, Installment
from edtech.billing.infrastructure.repositories.catalogue import (
    SqlAlchemyFeeItems,
    SqlAlchemyFeePlans,
)
from edtech.kernel.errors import FieldProblem, InvalidError
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Principal


@dataclass(frozen=True)
class NewInstallment:
    label: str
    due_on: date
    share: int
    term_id: uuid.UUID | None = None


@dataclass(frozen=True)
class NewFeePlan:
    name: str
    item_ids: list[uuid.UUID]
    installments: list[NewInstallment]


class DefineFeePlan(CatalogueUseCase):
    """A plan bills its items in instalments of relative shares (e.g. 1:1:1 or 40:30:30)."""

    async def __call__(self, principal: Principal, cmd: NewFeePlan) -> FeePlan:
        require_manager(principal)
        async with self.uow:
            currency = await self.institution_currency(principal.institution_id, None)
            items = SqlAlchemyFeeItems(self.uow.session, principal.institution_id)
            found = {i.id for i in await items.get_many(cmd.item_ids)}
            missing = [
                FieldProblem(("item_ids", n), "no such fee item")
                for n, i in enumerate(cmd.item_ids)
                if i not in found
            ]
            if missing:
                raise InvalidError("Unknown fee items.", missing)
            plan_id = new_id()
            plan = FeePlan(
                id=plan_id,
                institution_id=principal.institution_id,
                name=cmd.name,
                currency=currency,
                item_ids=list(cmd.item_ids),
                installments=[
                    Installment(
                        id=new_id(),
                        plan_id=plan_id,
                        institution_id=principal.institution_id,
                        seq=n + 1,
                        label=i.label,
                        due_on=i.due_on,
                        share=i.share,
                        term_id=i.term_id,
                    )
                    for n, i in enumerate(cmd.installments)
                ],
            )
            SqlAlchemyFeePlans(self.uow.session, principal.institution_id).add(plan)
            await self.uow.commit()
            return plan
