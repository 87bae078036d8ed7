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
from edtech.billing.application import accounts as acc_uc
from edtech.billing.application import catalogue as cat_uc
from edtech.billing.application import invoicing as inv_uc
from edtech.billing.application import payments as pay_uc
from edtech.billing.domain.accounts import AccountKind
from edtech.billing.domain.catalogue import GrantKind
from edtech.billing.domain.payments import PaymentMethod
from edtech.billing.infrastructure import tables as t
from edtech.billing.infrastructure.consistency import check_consistency
from edtech.billing.infrastructure.roster import InstitutionsRoster
from edtech.demo import DemoSummary
from edtech.kernel.errors import DomainError
from edtech.kernel.principal import Principal, Role, RoleGrant
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


def deps(services: Services) -> tuple[object, object, InstitutionsRoster]:
    return services.uow(), services.clock, InstitutionsRoster()


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
    cat = await cat_uc.DefineFeeCategory(*d)(me, cat_uc.NewCategory("tuition", "Tuition"))  # type: ignore[arg-type]
    meals = await cat_uc.DefineFeeCategory(*deps(services))(
        me, cat_uc.NewCategory("meals", "Meals")
    )  # type: ignore[arg-type]
    items = [
        await cat_uc.DefineFeeItem(*deps(services))(
            me, cat_uc.NewFeeItem(cat.id, "Tuition", "1000.01")
        ),  # type: ignore[arg-type]
        await cat_uc.DefineFeeItem(*deps(services))(
            me, cat_uc.NewFeeItem(meals.id, "Meals", "333.33")
        ),  # type: ignore[arg-type]
    ]
    plan = await cat_uc.DefineFeePlan(*deps(services))(
        me,
        cat_uc.NewFeePlan(  # type: ignore[arg-type]
            "Year",
            [i.id for i in items],
            [cat_uc.NewInstallment(f"I{n}", date(2026, n, 1), n) for n in (1, 2, 3)],
        ),
    )
    students = [school.person(f"student{n}@demo.test") for n in range(1, 7)]
    await cat_uc.ApproveGrant(*deps(services))(
        me,
        cat_uc.NewGrant(  # type: ignore[arg-type]
            students[1], GrantKind.SIBLING, "Sibling", percent="12.5"
        ),
    )
    accounts = []
    for a, b in ((0, 1), (2, 3), (4, 5)):
        accounts.append(
            await acc_uc.OpenPayerAccount(*deps(services))(
                me,
                acc_uc.NewAccount(  # type: ignore[arg-type]
                    AccountKind.FAMILY,
                    f"Family {a}",
                    [
                        acc_uc.AccountStudentIn(students[a], plan.id),
                        acc_uc.AccountStudentIn(students[b], plan.id),
                    ],
                ),
            )
        )
    sponsor = await acc_uc.OpenPayerAccount(*deps(services))(
        me,
        acc_uc.NewAccount(  # type: ignore[arg-type]
            AccountKind.SPONSOR,
            "Meal charity",
            sponsorships=[acc_uc.SponsorshipIn(students[2], [meals.id])],
        ),
    )
    accounts.append(sponsor)
    first = await inv_uc.GenerateInvoices(*deps(services))(
        me, inv_uc.GenerateInvoicesCmd(plan.id, due_by=date(2026, 2, 1))
    )  # type: ignore[arg-type]
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
                p = await pay_uc.RecordPayment(*deps(services))(
                    me,
                    account.id,
                    pay_uc.NewPayment(  # type: ignore[arg-type]
                        amount, rng.choice(["USD", "USD", "USD", "EUR"]), PaymentMethod.CASH
                    ),
                )
                payments.append(p.id)
            elif op == "credit" and open_invoices:
                inv_id, due = rng.choice(open_invoices)
                amount = rng.randint(1, due + 50)
                await inv_uc.IssueCreditNote(*deps(services))(
                    me,
                    inv_id,
                    inv_uc.NewCreditNote(  # type: ignore[arg-type]
                        f"{amount / 100:.2f}", "goodwill"
                    ),
                )
            elif op == "refund" and payments:
                await pay_uc.RefundPayment(*deps(services), None)(
                    me,
                    rng.choice(payments),
                    pay_uc.NewRefund(  # type: ignore[arg-type]
                        f"{rng.randint(1, 100000) / 100:.2f}", "asked"
                    ),
                )
            elif op == "void" and open_invoices:
                await inv_uc.VoidInvoice(*deps(services))(me, rng.choice(open_invoices)[0])  # type: ignore[arg-type]
            elif op == "writeoff" and open_invoices:
                await inv_uc.MarkInvoiceUncollectible(*deps(services))(
                    me, rng.choice(open_invoices)[0]
                )  # type: ignore[arg-type]
            elif op == "draft":
                await inv_uc.DraftInvoice(*deps(services))(
                    me,
                    inv_uc.NewInvoice(  # type: ignore[arg-type]
                        rng.choice(accounts).id,
                        date(2026, 1, rng.randint(1, 28)),
                        "trip",
                        [inv_uc.LineIn("Trip", f"{rng.randint(-2000, 9000) / 100:.2f}")],
                    ),
                )
            elif op == "finalize" and drafts:
                await inv_uc.FinalizeInvoice(*deps(services))(me, rng.choice(drafts))  # type: ignore[arg-type]
            elif op == "generate":
                await inv_uc.GenerateInvoices(*deps(services))(
                    me,
                    inv_uc.GenerateInvoicesCmd(  # type: ignore[arg-type]
                        plan.id, due_by=date(2026, rng.randint(1, 3), 1)
                    ),
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
    account = await acc_uc.OpenPayerAccount(*deps(services))(
        me,
        acc_uc.NewAccount(  # type: ignore[arg-type]
            AccountKind.FAMILY, "F", [acc_uc.AccountStudentIn(school.person("student1@demo.test"))]
        ),
    )
    await pay_uc.RecordPayment(*deps(services))(
        me,
        account.id,
        pay_uc.NewPayment(  # type: ignore[arg-type]
            "10.00", "USD", PaymentMethod.CASH
        ),
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
