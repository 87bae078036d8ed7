"""The use case that defines a fee category."""

from __future__ import annotations

from dataclasses import dataclass

from edtech.billing.application.common import UseCase, require_manager
from edtech.billing.domain.catalogue import FeeCategory
from edtech.billing.infrastructure.repositories.catalogue import SqlAlchemyFeeCategories
from edtech.kernel.errors import ConflictError
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Principal


@dataclass(frozen=True)
class NewCategory:
    code: str
    name: str


class DefineFeeCategory(UseCase):
    """A category code is unique within the institution."""

    async def __call__(self, principal: Principal, cmd: NewCategory) -> FeeCategory:
        require_manager(principal)
        async with self.uow:
            categories = SqlAlchemyFeeCategories(self.uow.session, principal.institution_id)
            if any(c.code == cmd.code for c in (await categories.by_id()).values()):
                raise ConflictError(f"A fee category with code {cmd.code!r} already exists.")
            cat = FeeCategory(
                id=new_id(), institution_id=principal.institution_id, code=cmd.code, name=cmd.name
            )
            categories.add(cat)
            await self.uow.commit()
            return cat
