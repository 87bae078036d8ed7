"""The use case that approves a grant (a discount or scholarship) for a student."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from edtech.billing.application.common import CatalogueUseCase, require_manager
from edtech.billing.domain.catalogue import Grant, GrantKind
from edtech.billing.domain.money import Money
from edtech.billing.infrastructure.repositories.catalogue import (
    SqlAlchemyFeeCategories,
    SqlAlchemyGrants,
)
from edtech.kernel.errors import FieldProblem, InvalidError
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Principal


@dataclass(frozen=True)
class NewGrant:
    student_id: uuid.UUID
    kind: GrantKind
    name: str
    percent: str | None = None
    amount: str | None = None
    category_id: uuid.UUID | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    extra: dict[str, str] = field(default_factory=dict)


def percent_to_bp(text: str) -> int:
    """ "12.5" → 1250 basis points; more than two decimals is refused."""
    try:
        value = Money.parse(text, "EUR").minor  # two decimals, exactly
    except InvalidError:
        raise InvalidError(
            "A percentage has at most two decimals.",
            [FieldProblem(("percent",), "at most two decimals")],
        ) from None
    return value


class ApproveGrant(CatalogueUseCase):
    """An approved discount or scholarship for a current student: a percentage or a fixed
    amount in the institution's currency, optionally limited to one category and to dates."""

    async def __call__(self, principal: Principal, cmd: NewGrant) -> Grant:
        require_manager(principal)
        async with self.uow:
            currency = await self.institution_currency(principal.institution_id, None)
            categories = SqlAlchemyFeeCategories(self.uow.session, principal.institution_id)
            profile = await self.roster.student_profile(
                principal.institution_id, cmd.student_id, await self.today(principal.institution_id)
            )
            if profile is None:
                raise InvalidError(
                    "Unknown student.", [FieldProblem(("student_id",), "no such current student")]
                )
            if cmd.category_id is not None and await categories.get(cmd.category_id) is None:
                raise InvalidError(
                    "Unknown fee category.", [FieldProblem(("category_id",), "no such category")]
                )
            grant = Grant(
                id=new_id(),
                institution_id=principal.institution_id,
                student_id=cmd.student_id,
                kind=cmd.kind,
                name=cmd.name,
                percent_bp=percent_to_bp(cmd.percent) if cmd.percent is not None else None,
                amount_minor=Money.parse(cmd.amount, currency).minor if cmd.amount else None,
                currency=currency if cmd.amount else None,
                category_id=cmd.category_id,
                valid_from=cmd.valid_from,
                valid_to=cmd.valid_to,
                approved_by=principal.person_id,
            )
            SqlAlchemyGrants(self.uow.session, principal.institution_id).add(grant)
            await self.uow.commit()
            return grant
