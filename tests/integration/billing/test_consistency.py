"""The ledger balances and matches the documents after a seeded random run of operations,
and refused operations leave no trace (both dialects)."""

from __future__ import annotations

import random
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from datetime import date

import pytest
import sqlalchemy as sa

from edtech.app import create_app
from edtech.billing.application.approve_grant import ApproveGrant, NewGrant
from edtech.billing.application.common import LineIn
from edtech.billing.application.define_fee_category import DefineFeeCategory, NewCategory
from edtech.billing.application.define_fee_item import DefineFeeItem, NewFeeItem
from edtech.billing.application.define_fee_plan import DefineFeePlan, NewFeePlan, NewInstallment
from edtech.billing.application.draft_invoice import DraftInvoice, NewInvoice
from edtech.billing.application.finalize_invoice import FinalizeInvoice
from edtech.billing.application.generate_invoices import GenerateInvoices, GenerateInvoicesCmd
from edtech.billing.application.issue_credit_note import IssueCreditNote, NewCreditNote
from edtech.billing.application.mark_invoice_uncollectible import MarkInvoiceUncollectible
from edtech.billing.application.open_payer_account import (
    AccountStudentIn,
    NewAccount,
    OpenPayerAccount,
    SponsorshipIn,
)
from edtech.billing.application.ports import RosterFactory
from edtech.billing.application.record_payment import NewPayment, RecordPayment
from edtech.billing.application.refund_payment import NewRefund, RefundPayment
from edtech.billing.application.void_invoice import VoidInvoice
from edtech.billing.domain.accounts import AccountKind
from edtech.billing.domain.catalogue import GrantKind
from edtech.billing.domain.payments import PaymentMethod
from edtech.billing.infrastructure import tables as t
from edtech.billing.infrastructure.consistency import check_consistency
from edtech.billing.infrastructure.roster import InstitutionsRoster
from edtech.demo import DemoSummary
from edtech.kernel.clock import Clock
from edtech.kernel.errors import DomainError
from edtech.kernel.principal import Principal, Role, RoleGrant
from edtech.platform.db.uow import UnitOfWork
from edtech.platform.services import Services
from edtech.settings import Settings


@pytest.fixture
async def services(settings: Settings, school: DemoSummary) -> AsyncIterator[Services]:
    app = create_app(settings)
    svc: Services = app.state.services
    try:
        yield svc
    finally:
        await svc.engine.dispose()


def accountant(school: DemoSummary) -> Principal:
    return Principal(
        account_id=uuid.uuid4(),
        person_id=school.person("accountant@demo.test"),
        institution_id=school.institution_id,
        display_name="Robin Ledger",
        grants=frozenset({RoleGrant(Role.ACCOUNTANT)}),
    )


def deps(services: Services) -> tuple[UnitOfWork, Clock, RosterFactory]:
    """What `use_case` gives a route's use case: a fresh unit of work, the clock, the roster."""
    return services.uow(), services.clock, InstitutionsRoster


async def footprint(services: Services) -> tuple[int, ...]:
    async with services.session_factory() as s:
        counts = []
        for table in (t.ledger_entry, t.payment, t.refund, t.credit_note, t.allocation, t.invoice):
            counts.append(int(await s.scalar(sa.select(sa.func.count()).select_from(table)) or 0))
        paid = await s.scalar(sa.select(sa.func.sum(t.invoice.c.paid_minor)))
        counts.append(int(paid or 0))
        return tuple(counts)


async def assert_consistent(services: Services) -> None:
    async with services.session_factory() as s:
        report = await check_consistency(s)
    assert report.ok, report.problems


async def test_ledger_stays_consistent_through_a_random_run(
    services: Services, school: DemoSummary
) -> None:
    rng = random.Random(20261126)
    me = accountant(school)
    d = deps(services)
    cat = await DefineFeeCategory(*d)(me, NewCategory("tuition", "Tuition"))
    meals = await DefineFeeCategory(*deps(services))(me, NewCategory("meals", "Meals"))
    items = [
        await DefineFeeItem(*deps(services))(me, NewFeeItem(cat.id, "Tuition", "1000.01")),
        await DefineFeeItem(*deps(services))(me, NewFeeItem(meals.id, "Meals", "333.33")),
    ]
    plan = await DefineFeePlan(*deps(services))(
        me,
        NewFeePlan(
            "Year",
            [i.id for i in items],
            [NewInstallment(f"I{n}", date(2026, n, 1), n) for n in (1, 2, 3)],
        ),
    )
    students = [school.person(f"student{n}@demo.test") for n in range(1, 7)]
    await ApproveGrant(*deps(services))(
        me,
        NewGrant(students[1], GrantKind.SIBLING, "Sibling", percent="12.5"),
    )
    accounts = []
    for a, b in ((0, 1), (2, 3), (4, 5)):
        accounts.append(
            await OpenPayerAccount(*deps(services))(
                me,
                NewAccount(
                    AccountKind.FAMILY,
                    f"Family {a}",
                    [
                        AccountStudentIn(students[a], plan.id),
                        AccountStudentIn(students[b], plan.id),
                    ],
                ),
            )
        )
    sponsor = await OpenPayerAccount(*deps(services))(
        me,
        NewAccount(
            AccountKind.SPONSOR,
            "Meal charity",
            sponsorships=[SponsorshipIn(students[2], [meals.id])],
        ),
    )
    accounts.append(sponsor)
    first = await GenerateInvoices(*deps(services))(
        me, GenerateInvoicesCmd(plan.id, due_by=date(2026, 2, 1))
    )
    # Two instalments are due by 1 February: per instalment, one invoice per family and the
    # sponsor's, which carries only student 3's meals.
    assert len(first) == 8
    first = [i for i in first if i.due_on == date(2026, 1, 1)]
    assert len(first) == 4
    [sponsored] = [i for i in first if i.account_id == sponsor.id]
    assert {(ln.student_id, ln.category_id) for ln in sponsored.lines} == {(students[2], meals.id)}
    family_of_3 = next(i for i in first if i.account_id == accounts[1].id)
    assert (students[2], meals.id) not in {
        (ln.student_id, ln.category_id) for ln in family_of_3.lines
    }
    await assert_consistent(services)

    payments: list[uuid.UUID] = []
    refused = 0
    done: Counter[str] = Counter()
    for _ in range(60):
        async with services.session_factory() as s:
            open_invoices = list(
                (
                    await s.execute(
                        sa.select(
                            t.invoice.c.id,
                            t.invoice.c.total_minor
                            - t.invoice.c.paid_minor
                            - t.invoice.c.credited_minor,
                        ).where(t.invoice.c.status == "open")
                    )
                ).all()
            )
            drafts = list(
                (
                    await s.scalars(sa.select(t.invoice.c.id).where(t.invoice.c.status == "draft"))
                ).all()
            )
        op = rng.choice(
            ["pay", "pay", "credit", "refund", "void", "draft", "finalize", "writeoff", "generate"]
        )
        before = await footprint(services)
        try:
            if op == "pay":
                account = rng.choice(accounts)
                amount = f"{rng.randint(1, 150000) / 100:.2f}"
                p = await RecordPayment(*deps(services))(
                    me,
                    account.id,
                    NewPayment(
                        amount, rng.choice(["USD", "USD", "USD", "EUR"]), PaymentMethod.CASH
                    ),
                )
                payments.append(p.id)
            elif op == "credit" and open_invoices:
                inv_id, due = rng.choice(open_invoices)
                amount = rng.randint(1, due + 50)
                await IssueCreditNote(*deps(services))(
                    me,
                    inv_id,
                    NewCreditNote(f"{amount / 100:.2f}", "goodwill"),
                )
            elif op == "refund" and payments:
                await RefundPayment(*deps(services), None)(
                    me,
                    rng.choice(payments),
                    NewRefund(f"{rng.randint(1, 100000) / 100:.2f}", "asked"),
                )
            elif op == "void" and open_invoices:
                await VoidInvoice(*deps(services))(me, rng.choice(open_invoices)[0])
            elif op == "writeoff" and open_invoices:
                await MarkInvoiceUncollectible(*deps(services))(me, rng.choice(open_invoices)[0])
            elif op == "draft":
                await DraftInvoice(*deps(services))(
                    me,
                    NewInvoice(
                        rng.choice(accounts).id,
                        date(2026, 1, rng.randint(1, 28)),
                        "trip",
                        [LineIn("Trip", f"{rng.randint(-2000, 9000) / 100:.2f}")],
                    ),
                )
            elif op == "finalize" and drafts:
                await FinalizeInvoice(*deps(services))(me, rng.choice(drafts))
            elif op == "generate":
                await GenerateInvoices(*deps(services))(
                    me,
                    GenerateInvoicesCmd(plan.id, due_by=date(2026, rng.randint(1, 3), 1)),
                )
            done[op] += 1
        except DomainError:
            refused += 1
            assert await footprint(services) == before, f"refused {op} left a trace"
        await assert_consistent(services)
    assert refused > 0  # the run exercised refusals too
    assert all(done[op] > 0 for op in ("pay", "credit", "refund", "void", "finalize")), done
    async with services.session_factory() as s:
        report = await check_consistency(s, school.institution_id)
        assert report.ok
        assert report.invoices > 3
        assert report.payments > 3


async def test_check_finds_a_tampered_ledger(services: Services, school: DemoSummary) -> None:
    me = accountant(school)
    account = await OpenPayerAccount(*deps(services))(
        me,
        NewAccount(
            AccountKind.FAMILY, "F", [AccountStudentIn(school.person("student1@demo.test"))]
        ),
    )
    await RecordPayment(*deps(services))(
        me,
        account.id,
        NewPayment("10.00", "USD", PaymentMethod.CASH),
    )
    await assert_consistent(services)
    async with services.session_factory() as s:
        await s.execute(
            sa.update(t.ledger_entry)
            .where(t.ledger_entry.c.ledger_account == "cash")
            .values(amount_minor=999)
        )
        await s.commit()
        report = await check_consistency(s)
    assert not report.ok
    assert any("sums to" in p for p in report.problems)
    assert any("cash" in p for p in report.problems)
