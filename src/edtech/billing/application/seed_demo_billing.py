"""The demo school's bills, written through the billing use cases so the ledger holds as for
real ones: a small fee catalogue, a plan of three instalments, a few family accounts on it and
their invoices in every state a newcomer should see (paid, partly paid, overdue, still to come).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from edtech.billing.application.approve_grant import ApproveGrant, NewGrant
from edtech.billing.application.common import UseCase
from edtech.billing.application.define_fee_category import DefineFeeCategory, NewCategory
from edtech.billing.application.define_fee_item import DefineFeeItem, NewFeeItem
from edtech.billing.application.define_fee_plan import DefineFeePlan, NewFeePlan, NewInstallment
from edtech.billing.application.generate_invoices import GenerateInvoices, GenerateInvoicesCmd
from edtech.billing.application.open_payer_account import (
    AccountStudentIn,
    NewAccount,
    OpenPayerAccount,
)
from edtech.billing.application.record_payment import AllocationIn, NewPayment, RecordPayment
from edtech.billing.domain.accounts import AccountKind
from edtech.billing.domain.catalogue import GrantKind, Target
from edtech.billing.domain.money import Money
from edtech.billing.domain.payments import PaymentMethod
from edtech.billing.infrastructure.repositories.accounts import SqlAlchemyPayerAccounts
from edtech.billing.infrastructure.repositories.catalogue import (
    SqlAlchemyFeeCategories,
    SqlAlchemyFeeItems,
    SqlAlchemyFeePlans,
    SqlAlchemyGrants,
)
from edtech.billing.infrastructure.repositories.invoices import SqlAlchemyInvoices
from edtech.billing.infrastructure.repositories.payments import SqlAlchemyPayments
from edtech.kernel.principal import Principal

CATEGORIES = (("tuition", "Tuition"), ("meals", "Meals"), ("trips", "Field trips"))


@dataclass(frozen=True)
class DemoItem:
    """A fee item of the demo catalogue; amounts are whole units, valid in any currency."""

    category: str
    name: str
    amount: str
    target: Target = Target.EVERYONE
    target_value: str | None = None


ITEMS = (
    DemoItem("tuition", "Tuition", "4800"),
    DemoItem("meals", "Lunch plan", "720"),
    DemoItem("trips", "Grade 7 field trips", "90", Target.GRADE, "7"),
)
PLAN = "School year in three instalments"
SIBLING = "Sibling discount"
SIBLING_PERCENT = "10"
PAID_IN_FULL = "Bank transfer (demo)"
PAID_TOWARD = "Cash at the office (demo)"


def installments(today: date) -> list[NewInstallment]:
    """Three equal instalments around `today`: two already due (so one can be overdue) and one
    still to come, whatever day the demo is seeded."""
    return [
        NewInstallment("First instalment", today - timedelta(days=70), 1),
        NewInstallment("Second instalment", today - timedelta(days=14), 1),
        NewInstallment("Third instalment", today + timedelta(days=30), 1),
    ]


@dataclass(frozen=True)
class DemoFamily:
    """A family account to seed: its students (the first named in the account), whether the
    younger ones get the sibling discount on tuition, how many of its earliest invoices it paid
    in full (one bank transfer), and how much it paid toward the next one (cash)."""

    name: str
    student_ids: tuple[uuid.UUID, ...]
    sibling_discount: bool = False
    paid_in_full: int = 0
    paid_toward_next: str | None = None


class SeedDemoBilling(UseCase):
    """Seed the demo bills once: every step first looks for what an earlier run wrote (a
    category by code, an item or plan by name, a student's account, a payment by reference),
    so a second run — or one after a crash half-way — creates only what is missing."""

    async def __call__(
        self, accountant: Principal, families: Sequence[DemoFamily]
    ) -> dict[str, int]:
        counts = dict.fromkeys(("categories", "items", "plans", "grants", "accounts"), 0)
        deps = (self.uow, self.clock, self.roster_factory)
        students = [s for f in families for s in f.student_ids]
        async with self.uow:
            inst, session = accountant.institution_id, self.uow.session
            categories = {
                c.code: c.id
                for c in (await SqlAlchemyFeeCategories(session, inst).by_id()).values()
            }
            items = {i.name: i.id for i in await SqlAlchemyFeeItems(session, inst).all()}
            plans = await SqlAlchemyFeePlans(session, inst).all()
            plan_id = next((p.id for p in plans if p.name == PLAN), None)
            grants = await SqlAlchemyGrants(session, inst).of_students(students)
            granted = {(g.student_id, g.name) for g in grants}
            payers = SqlAlchemyPayerAccounts(session, inst)
            accounts = {
                f.student_ids[0]: await payers.family_of(f.student_ids[0]) for f in families
            }
        for code, name in CATEGORIES:
            if code not in categories:
                category = await DefineFeeCategory(*deps)(accountant, NewCategory(code, name))
                categories[code] = category.id
                counts["categories"] += 1
        for it in ITEMS:
            if it.name not in items:
                item = await DefineFeeItem(*deps)(
                    accountant,
                    NewFeeItem(
                        categories[it.category],
                        it.name,
                        it.amount,
                        target=it.target,
                        target_value=it.target_value,
                    ),
                )
                items[it.name] = item.id
                counts["items"] += 1
        if plan_id is None:
            plan = await DefineFeePlan(*deps)(
                accountant,
                NewFeePlan(PLAN, [items[it.name] for it in ITEMS], installments(self.now().date())),
            )
            plan_id = plan.id
            counts["plans"] += 1
        for family in families:
            younger = family.student_ids[1:] if family.sibling_discount else ()
            for student_id in younger:
                if (student_id, SIBLING) not in granted:
                    await ApproveGrant(*deps)(
                        accountant,
                        NewGrant(
                            student_id,
                            GrantKind.SIBLING,
                            SIBLING,
                            percent=SIBLING_PERCENT,
                            category_id=categories["tuition"],
                        ),
                    )
                    counts["grants"] += 1
            if accounts[family.student_ids[0]] is None:
                account = await OpenPayerAccount(*deps)(
                    accountant,
                    NewAccount(
                        AccountKind.FAMILY,
                        family.name,
                        [AccountStudentIn(s, plan_id) for s in family.student_ids],
                    ),
                )
                accounts[family.student_ids[0]] = account.id
                counts["accounts"] += 1
        # Re-runnable by design: an instalment already billed to an account is skipped.
        invoices = await GenerateInvoices(*deps)(
            accountant, GenerateInvoicesCmd(plan_id, due_by=date.max)
        )
        counts["invoices"] = len(invoices)
        counts["payments"] = 0
        for family in families:
            account_id = accounts[family.student_ids[0]]
            assert account_id is not None
            counts["payments"] += await self._pay(accountant, account_id, family)
        return counts

    async def _pay(self, accountant: Principal, account_id: uuid.UUID, family: DemoFamily) -> int:
        """The family's payments: its earliest invoices in full, then part of the next one."""
        async with self.uow:
            inst, session = accountant.institution_id, self.uow.session
            invoices = [
                (i.id, i.amount_due_minor, i.due_on)
                for i in await SqlAlchemyInvoices(session, inst).of_account(account_id)
            ]
            account = await SqlAlchemyPayerAccounts(session, inst).get(account_id)
            payments = SqlAlchemyPayments(session, inst)
            assert account is not None
            currency = account.currency
            done = {
                ref
                for ref in (PAID_IN_FULL, PAID_TOWARD)
                if await payments.by_reference(account_id, ref) is not None
            }
        made = 0
        earliest = invoices[: family.paid_in_full]
        owed = [(invoice_id, due) for invoice_id, due, _ in earliest if due > 0]
        if PAID_IN_FULL not in done and owed:
            received = datetime.combine(earliest[0][2] - timedelta(days=3), time(9, 30), UTC)
            await self._record(
                accountant,
                account_id,
                currency,
                PAID_IN_FULL,
                PaymentMethod.BANK_TRANSFER,
                received,
                owed,
            )
            made += 1
        following = invoices[family.paid_in_full : family.paid_in_full + 1]
        if PAID_TOWARD not in done and family.paid_toward_next and following:
            invoice_id, due, _ = following[0]
            part = min(Money.parse(family.paid_toward_next, currency).minor, due)
            if part > 0:
                received = self.now() - timedelta(days=5)
                await self._record(
                    accountant,
                    account_id,
                    currency,
                    PAID_TOWARD,
                    PaymentMethod.CASH,
                    received,
                    [(invoice_id, part)],
                )
                made += 1
        return made

    async def _record(
        self,
        accountant: Principal,
        account_id: uuid.UUID,
        currency: str,
        reference: str,
        method: PaymentMethod,
        received_at: datetime,
        allocations: list[tuple[uuid.UUID, int]],
    ) -> None:
        total = sum(amount for _, amount in allocations)
        await RecordPayment(self.uow, self.clock, self.roster_factory)(
            accountant,
            account_id,
            NewPayment(
                amount=Money(total, currency).format(),
                currency=currency,
                method=method,
                reference=reference,
                received_at=received_at,
                allocations=[
                    AllocationIn(invoice_id, Money(amount, currency).format())
                    for invoice_id, amount in allocations
                ],
            ),
        )
