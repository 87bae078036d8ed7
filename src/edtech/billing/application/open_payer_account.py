"""The use case that opens a payer account: a family or a sponsor."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from edtech.billing.application.common import CatalogueUseCase, require_manager
from edtech.billing.domain.accounts import AccountKind, PayerAccount
from edtech.billing.infrastructure.repositories.accounts import SqlAlchemyPayerAccounts
from edtech.billing.infrastructure.repositories.catalogue import (
    SqlAlchemyFeeCategories,
    SqlAlchemyFeePlans,
)
from edtech.kernel.errors import ConflictError, FieldProblem, InvalidError
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Principal


@dataclass(frozen=True)
class AccountStudentIn:
    student_id: uuid.UUID
    fee_plan_id: uuid.UUID | None = None


@dataclass(frozen=True)
class SponsorshipIn:
    student_id: uuid.UUID
    category_ids: list[uuid.UUID]


@dataclass(frozen=True)
class NewAccount:
    kind: AccountKind
    name: str
    students: list[AccountStudentIn] = field(default_factory=list)
    sponsorships: list[SponsorshipIn] = field(default_factory=list)


class OpenPayerAccount(CatalogueUseCase):
    """A family account lists current students (each on at most one family account, with an
    optional fee plan); a sponsor account pays chosen categories of chosen students. Accounts
    are in the institution's currency."""

    async def __call__(self, principal: Principal, cmd: NewAccount) -> PayerAccount:
        require_manager(principal)
        async with self.uow:
            inst = principal.institution_id
            accounts = SqlAlchemyPayerAccounts(self.uow.session, inst)
            plans = SqlAlchemyFeePlans(self.uow.session, inst)
            currency = await self.institution_currency(inst, None)
            today = await self.today(inst)
            problems: list[FieldProblem] = []
            if cmd.kind == AccountKind.FAMILY and cmd.sponsorships:
                problems.append(FieldProblem(("sponsorships",), "a family has no sponsorships"))
            if cmd.kind == AccountKind.SPONSOR and cmd.students:
                problems.append(FieldProblem(("students",), "a sponsor lists sponsorships"))
            categories = await SqlAlchemyFeeCategories(self.uow.session, inst).by_id()
            students = [("students", n, s.student_id) for n, s in enumerate(cmd.students)]
            students += [("sponsorships", n, s.student_id) for n, s in enumerate(cmd.sponsorships)]
            for where, n, sid in students:
                profile = await self.roster.student_profile(principal.institution_id, sid, today)
                if profile is None:
                    problems.append(FieldProblem((where, n, "student_id"), "no such student"))
            for n, s in enumerate(cmd.students):
                if s.fee_plan_id is not None and await plans.get(s.fee_plan_id) is None:
                    problems.append(FieldProblem(("students", n, "fee_plan_id"), "no such plan"))
            for n, sp in enumerate(cmd.sponsorships):
                if not sp.category_ids:
                    problems.append(FieldProblem(("sponsorships", n, "category_ids"), "empty"))
                for c in sp.category_ids:
                    if c not in categories:
                        problems.append(
                            FieldProblem(("sponsorships", n, "category_ids"), "no such category")
                        )
            if problems:
                raise InvalidError("The account is not valid.", problems)
            account = PayerAccount(
                id=new_id(),
                institution_id=principal.institution_id,
                kind=cmd.kind,
                name=cmd.name,
                currency=currency,
                created_at=self.now(),
            )
            for s in cmd.students:
                if await accounts.family_of(s.student_id) is not None:
                    raise ConflictError("The student is already on a family account.")
                account.add_student(s.student_id, s.fee_plan_id)
            for sp in cmd.sponsorships:
                for c in sp.category_ids:
                    account.sponsor(sp.student_id, c)
            accounts.add(account)
            await self.uow.commit()
            return account
