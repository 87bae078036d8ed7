"""Use cases for the fee catalogue: categories, items, plans and grants."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from edtech.billing.application.common import UseCase, not_found, require_manager
from edtech.billing.domain.catalogue import (
    FeeCategory,
    FeeItem,
    FeePlan,
    Grant,
    GrantKind,
    Installment,
    Target,
)
from edtech.billing.domain.money import CurrencyMismatchError, Money
from edtech.billing.infrastructure.repositories.catalogue import (
    SqlAlchemyFeeCategories,
    SqlAlchemyFeeItems,
    SqlAlchemyFeePlans,
    SqlAlchemyGrants,
)
from edtech.kernel.errors import ConflictError, FieldProblem, InvalidError
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Principal


class CatalogueUseCase(UseCase):
    async def institution_currency(self, institution_id: uuid.UUID, given: str | None) -> str:
        """One currency per institution: what it bills in; a different one is refused."""
        currency = await self.roster.currency(self.uow.session, institution_id)
        if currency is None:
            raise not_found("Institution")
        if given is not None and given != currency:
            raise CurrencyMismatchError(
                f"This institution bills in {currency}, not {given}.",
                [FieldProblem(("currency",), f"must be {currency}")],
            )
        return currency


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
                self.uow.session, principal.institution_id, cmd.student_id, self.now().date()
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
