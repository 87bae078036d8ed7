"""The demo bills: seeded with the demo product, seen by the right guardians only, consistent
with the ledger, and seeded once (both dialects)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import httpx
import sqlalchemy as sa

from edtech.billing.infrastructure import tables as t
from edtech.billing.public import check
from edtech.billing.public import seed_demo as seed_billing
from edtech.demo import SMALL, DemoSummary
from edtech.demo_product import seed_product_demo
from edtech.platform.db.engine import make_engine, make_session_factory
from tests.integration.billing.helpers import API, sign_in

TABLES = (
    t.fee_category,
    t.fee_item,
    t.fee_plan,
    t.installment,
    t.grant,
    t.account,
    t.account_student,
    t.invoice,
    t.invoice_line,
    t.payment,
    t.allocation,
    t.ledger_entry,
)


async def seed_product(database_url: str) -> None:
    """What `edtech serve --demo` does: the school is already there, every slice seeds on it."""
    engine = make_engine(database_url)
    try:
        await seed_product_demo(make_session_factory(engine), SMALL)
    finally:
        await engine.dispose()


async def footprint(database_url: str) -> dict[str, int]:
    engine = make_engine(database_url)
    try:
        async with make_session_factory(engine)() as s:
            return {
                table.name.removeprefix("billing_"): int(
                    await s.scalar(sa.select(sa.func.count()).select_from(table)) or 0
                )
                for table in TABLES
            }
    finally:
        await engine.dispose()


async def invoices_of(
    client: httpx.AsyncClient, account_id: str, headers: dict[str, str]
) -> list[dict[str, Any]]:
    r = await client.get(f"{API}/invoices", params={"account_id": account_id}, headers=headers)
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    return items


def amounts(invoices: list[dict[str, Any]], field: str) -> list[str]:
    return [i[field]["amount"] for i in invoices]


async def test_guardian1_sees_a_paid_an_overdue_partly_paid_and_an_upcoming_invoice(
    client: httpx.AsyncClient, demo: DemoSummary, database_url: str
) -> None:
    await seed_product(database_url)
    guardian = await sign_in(client, "guardian1@demo.test")
    accounts = (await client.get(f"{API}/accounts", headers=guardian)).json()
    assert [[s["student_id"] for s in a["students"]] for a in accounts] == [[str(demo.student1_id)]]
    invoices = await invoices_of(client, accounts[0]["id"], guardian)
    today = datetime.now(UTC).date()
    assert [i["memo"] for i in invoices] == [
        "First instalment",
        "Second instalment",
        "Third instalment",
    ]
    assert [i["status"] for i in invoices] == ["paid", "open", "open"]
    assert [date.fromisoformat(i["due_on"]) < today for i in invoices] == [True, True, False]
    # Tuition 4800 + lunch 720 + grade 7 trips 90 (student1 is in grade 7), in three.
    assert amounts(invoices, "total") == ["1870.00"] * 3
    assert amounts(invoices, "paid") == ["1870.00", "500.00", "0.00"]
    assert amounts(invoices, "amount_due") == ["0.00", "1370.00", "1870.00"]
    assert all(i["currency"] == "USD" and i["number"].startswith("INV-") for i in invoices)
    lines = {ln["description"]: ln["amount"]["amount"] for ln in invoices[0]["lines"]}
    assert lines == {
        "Tuition (Tuition)": "1600.00",
        "Lunch plan (Meals)": "240.00",
        "Grade 7 field trips (Field trips)": "30.00",
    }
    statement = await client.get(f"{API}/accounts/{accounts[0]['id']}/statement", headers=guardian)
    assert statement.status_code == 200, statement.text
    assert statement.json()["closing_balance"]["amount"] == "3240.00"  # 1370.00 + 1870.00


async def test_demo_bills_are_seen_only_by_guardians_allowed_to_see_them(
    client: httpx.AsyncClient, demo: DemoSummary, database_url: str
) -> None:
    await seed_product(database_url)
    accountant = await sign_in(client, "accountant@demo.test")
    accounts = (await client.get(f"{API}/accounts", headers=accountant)).json()
    family_of = {a["students"][0]["student_id"]: a["id"] for a in accounts}
    assert len(accounts) == 5
    listing = await client.get(f"{API}/invoices", headers=accountant)
    assert listing.json()["total"] == 15

    # guardian5: both children on one account, a sibling discount on student6's tuition.
    guardian5 = await sign_in(client, "guardian5@demo.test")
    (mine,) = (await client.get(f"{API}/accounts", headers=guardian5)).json()
    s5, s6 = str(demo.person("student5@demo.test")), str(demo.person("student6@demo.test"))
    assert [s["student_id"] for s in mine["students"]] == [s5, s6]
    invoices = await invoices_of(client, mine["id"], guardian5)
    assert [i["status"] for i in invoices] == ["paid", "open", "open"]
    # student5 (grade 7) 1870 + student6 (grade 10) 1600 + 240 − 10 % of tuition 160.
    assert amounts(invoices, "total") == ["3550.00"] * 3
    assert amounts(invoices, "amount_due") == ["0.00", "3550.00", "3550.00"]
    discount = [ln for ln in invoices[1]["lines"] if ln["kind"] == "discount"]
    assert [(ln["student_id"], ln["amount"]["amount"]) for ln in discount] == [(s6, "-160.00")]

    # guardian3 may not see billing; guardian2 is barred from student2 by custody.
    for email, student in (("guardian3@demo.test", 3), ("guardian2@demo.test", 2)):
        guardian = await sign_in(client, email)
        assert (await client.get(f"{API}/accounts", headers=guardian)).json() == []
        account_id = family_of[str(demo.person(f"student{student}@demo.test"))]
        r = await client.get(f"{API}/invoices", params={"account_id": account_id}, headers=guardian)
        assert r.status_code == 404, r.text
        # Without an account: every invoice and payment they may see, which is none.
        for listing in ("invoices", "payments"):
            r = await client.get(f"{API}/{listing}", headers=guardian)
            assert (r.status_code, r.json()["total"]) == (200, 0), r.text
    # guardian5 without an account: exactly the invoices and payments of their one account.
    everything = await client.get(f"{API}/invoices", headers=guardian5)
    assert [i["account_id"] for i in everything.json()["items"]] == [mine["id"]] * 3
    paid = (await client.get(f"{API}/payments", headers=guardian5)).json()["items"]
    assert paid
    assert {p["account_id"] for p in paid} == {mine["id"]}
    # student2's other guardian (guardian S+2) does see that family's bills.
    second = await sign_in(client, f"guardian{SMALL.students + 2}@demo.test")
    (theirs,) = (await client.get(f"{API}/accounts", headers=second)).json()
    invoices = await invoices_of(client, theirs["id"], second)
    assert [i["status"] for i in invoices] == ["paid", "paid", "open"]


async def test_demo_bills_keep_the_ledger_consistent_and_are_seeded_once(
    demo: DemoSummary, database_url: str
) -> None:
    await seed_product(database_url)
    seeded = await footprint(database_url)
    assert (seeded["invoice"], seeded["payment"], seeded["allocation"]) == (15, 5, 6)
    # A restart: a new engine, only the database remembers.
    engine = make_engine(database_url)
    try:
        factory = make_session_factory(engine)
        again = await seed_billing(factory, demo)
        report = await check(factory)
    finally:
        await engine.dispose()
    assert set(again.values()) == {0}, again
    await seed_product(database_url)
    assert await footprint(database_url) == seeded
    assert report.ok, report.problems
    assert (report.invoices, report.payments, report.accounts) == (15, 5, 5)
