"""Issue 8 acceptance over real HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from edtech.demo import DemoSummary
from tests.integration.billing.helpers import API, key, post, set_currency, sign_in

# Worked by hand (see tests/unit/billing/test_fees.py): tuition split 1:1:1 by largest
# remainder, bus likewise, 7.5 % sibling discount on the second child's tuition, computed
# once on the year and split 1:1:1.
CASES = {
    "EUR": (
        "1234.57",
        "300.00",
        ["411.53", "411.52", "411.52"],
        ["100.00"] * 3,
        ["-30.87", "-30.86", "-30.86"],
        ["992.19", "992.18", "992.18"],
    ),
    "JPY": (
        "123457",
        "30000",
        ["41153", "41152", "41152"],
        ["10000"] * 3,
        ["-3087", "-3086", "-3086"],
        ["99219", "99218", "99218"],
    ),
    "KWD": (
        "1234.567",
        "300.000",
        ["411.523", "411.522", "411.522"],
        ["100.000"] * 3,
        ["-30.865", "-30.864", "-30.864"],
        ["992.181", "992.180", "992.180"],
    ),
}


async def family_on_plan(
    client: httpx.AsyncClient, school: DemoSummary, tuition: str, bus: str
) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
    """Two siblings (student5, student6: guardian5's children) on a 3-instalment plan."""
    acc = await sign_in(client, "accountant@demo.test")
    tuition_cat = await post(client, "/fee-categories", {"code": "tuition", "name": "Tuition"}, acc)
    bus_cat = await post(client, "/fee-categories", {"code": "bus", "name": "Transport"}, acc)
    t_item = await post(
        client,
        "/fee-items",
        {"category_id": tuition_cat["id"], "name": "Tuition", "amount": tuition},
        acc,
    )
    b_item = await post(
        client, "/fee-items", {"category_id": bus_cat["id"], "name": "Bus", "amount": bus}, acc
    )
    plan = await post(
        client,
        "/fee-plans",
        {
            "name": "2026 in three",
            "item_ids": [t_item["id"], b_item["id"]],
            "installments": [
                {
                    "label": "Autumn",
                    "due_on": "2026-01-15",
                    "share": 1,
                    "term_id": str(school.term_id),
                },
                {"label": "Winter", "due_on": "2026-04-15", "share": 1},
                {"label": "Spring", "due_on": "2026-07-15", "share": 1},
            ],
        },
        acc,
    )
    s5, s6 = school.person("student5@demo.test"), school.person("student6@demo.test")
    await post(
        client,
        "/grants",
        {
            "student_id": str(s6),
            "kind": "sibling",
            "name": "Sibling discount",
            "percent": "7.5",
            "category_id": tuition_cat["id"],
        },
        acc,
    )
    family = await post(
        client,
        "/accounts",
        {
            "kind": "family",
            "name": "Family 5",
            "students": [
                {"student_id": str(s5), "fee_plan_id": plan["id"]},
                {"student_id": str(s6), "fee_plan_id": plan["id"]},
            ],
        },
        acc,
    )
    return acc, plan, family


@pytest.mark.parametrize("currency", sorted(CASES))
async def test_family_of_two_on_three_installments_with_sibling_discount(
    client: httpx.AsyncClient, school: DemoSummary, currency: str
) -> None:
    tuition, bus, t_parts, b_parts, d_parts, totals = CASES[currency]
    await set_currency(client, currency)
    acc, plan, family = await family_on_plan(client, school, tuition, bus)
    s6 = str(school.person("student6@demo.test"))
    invoices = await post(
        client, "/invoices/generate", {"plan_id": plan["id"], "due_by": "2026-12-31"}, acc
    )
    assert len(invoices) == 3
    assert [i["number"] for i in invoices] == ["INV-000001", "INV-000002", "INV-000003"]
    for k, inv in enumerate(invoices):
        assert inv["status"] == "open"
        assert inv["account_id"] == family["id"]
        assert inv["currency"] == currency
        amounts = [(ln["student_id"], ln["amount"]["amount"]) for ln in inv["lines"]]
        sixth = [a for sid, a in amounts if sid == s6]
        assert sixth == [t_parts[k], b_parts[k], d_parts[k]]
        assert sorted(a for sid, a in amounts if sid != s6) == sorted([t_parts[k], b_parts[k]])
        assert inv["total"]["amount"] == totals[k]
        assert inv["amount_due"] == inv["total"]
    # Re-running the command bills nothing twice.
    assert (
        await post(
            client, "/invoices/generate", {"plan_id": plan["id"], "due_by": "2026-12-31"}, acc
        )
        == []
    )


async def test_same_payment_posted_five_times_records_one(
    client: httpx.AsyncClient, school: DemoSummary
) -> None:
    acc, plan, family = await family_on_plan(client, school, "900.00", "90.00")
    await post(
        client, "/invoices/generate", {"plan_id": plan["id"], "term_id": str(school.term_id)}, acc
    )
    headers = {**acc, **key()}
    body = {"amount": "100.00", "currency": "USD", "method": "cash", "reference": "desk"}
    replies = [
        await client.post(f"{API}/accounts/{family['id']}/payments", json=body, headers=headers)
        for _ in range(5)
    ]
    assert {r.status_code for r in replies} == {201}
    assert len({r.json()["id"] for r in replies}) == 1
    assert replies[0].json()["receipt_number"] == "RCP-000001"
    other = await client.post(
        f"{API}/accounts/{family['id']}/payments",
        json={**body, "amount": "100.01"},
        headers=headers,
    )
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    listed = (
        await client.get(f"{API}/payments", params={"account_id": family["id"]}, headers=acc)
    ).json()
    assert listed["total"] == 1
    missing = await client.post(f"{API}/accounts/{family['id']}/payments", json=body, headers=acc)
    assert missing.status_code == 422  # no Idempotency-Key


async def test_credit_note_reduces_due_and_statement_matches_ledger(
    client: httpx.AsyncClient, school: DemoSummary
) -> None:
    acc, plan, family = await family_on_plan(client, school, "900.00", "90.00")
    [first] = await post(
        client, "/invoices/generate", {"plan_id": plan["id"], "term_id": str(school.term_id)}, acc
    )
    note = await post(
        client,
        f"/invoices/{first['id']}/credit-notes",
        {"amount": "25.50", "reason": "Missed bus week"},
        {**acc, **key()},
    )
    assert note["number"] == "CN-000001"
    after = (await client.get(f"{API}/invoices/{first['id']}", headers=acc)).json()
    assert after["lines"] == first["lines"]
    assert after["total"] == first["total"]
    assert after["number"] == first["number"]
    assert after["credited"]["amount"] == "25.50"
    assert after["amount_due"]["minor"] == first["total"]["minor"] - 2550
    edit = await client.post(
        f"{API}/invoices/{first['id']}/lines",
        json={"lines": [{"description": "x", "amount": "1.00"}]},
        headers=acc,
    )
    assert edit.status_code == 409
    assert edit.json()["code"] == "invoice_immutable"

    pay = await post(
        client,
        f"/accounts/{family['id']}/payments",
        {"amount": "1000.00", "currency": "USD", "method": "bank_transfer"},
        {**acc, **key()},
    )
    assert pay["allocated"]["minor"] == after["amount_due"]["minor"]
    assert pay["account_credit"]["minor"] == 100000 - after["amount_due"]["minor"]

    statement = (await client.get(f"{API}/accounts/{family['id']}/statement", headers=acc)).json()
    ledger = (await client.get(f"{API}/accounts/{family['id']}/ledger", headers=acc)).json()
    assert statement["closing_balance"]["minor"] == ledger["net_owed"]["minor"]
    assert [ln["document"] for ln in statement["lines"]] == [
        "INV-000001",
        "CN-000001",
        "RCP-000001",
    ]
    assert statement["closing_balance"]["minor"] == -pay["account_credit"]["minor"]
    csv_text = (
        await client.get(
            f"{API}/accounts/{family['id']}/statement", params={"format": "csv"}, headers=acc
        )
    ).text
    page = await client.get(
        f"{API}/accounts/{family['id']}/statement", params={"format": "html"}, headers=acc
    )
    assert page.headers["content-type"].startswith("text/html")
    assert "CN-000001" in page.text
    assert "Closing balance: " + statement["closing_balance"]["amount"] in page.text
    assert "CN-000001" in csv_text
    assert "Closing balance" in csv_text


async def test_guardian_with_billing_sees_family_statement_others_see_nothing(
    client: httpx.AsyncClient, school: DemoSummary
) -> None:
    acc = await sign_in(client, "accountant@demo.test")
    s1, s3 = school.person("student1@demo.test"), school.person("student3@demo.test")
    one = await post(
        client, "/accounts", {"name": "Family 1", "students": [{"student_id": str(s1)}]}, acc
    )
    three = await post(
        client, "/accounts", {"name": "Family 3", "students": [{"student_id": str(s3)}]}, acc
    )
    for family in (one, three):
        await post(
            client,
            "/invoices",
            {
                "account_id": family["id"],
                "due_on": "2026-02-01",
                "lines": [{"description": "Trip", "amount": "45.00"}],
            },
            acc,
        )

    guardian1 = await sign_in(client, "guardian1@demo.test")
    r = await client.get(f"{API}/accounts/{one['id']}/statement", headers=guardian1)
    assert r.status_code == 200
    assert (await client.get(f"{API}/accounts", headers=guardian1)).json()[0]["id"] == one["id"]
    assert (await client.get(f"{API}/accounts/{three['id']}", headers=guardian1)).status_code == 404

    guardian3 = await sign_in(client, "guardian3@demo.test")  # link without can_view_billing
    for path in (
        f"/accounts/{three['id']}",
        f"/accounts/{three['id']}/statement",
        f"/invoices?account_id={three['id']}",
    ):
        assert (await client.get(f"{API}{path}", headers=guardian3)).status_code == 404
    assert (await client.get(f"{API}/accounts", headers=guardian3)).json() == []

    for email in ("teacher1@demo.test", "student1@demo.test"):
        who = await sign_in(client, email)
        assert (await client.get(f"{API}/accounts/{one['id']}", headers=who)).status_code == 404
        r = await client.post(
            f"{API}/accounts/{one['id']}/payments",
            json={"amount": "1", "currency": "USD", "method": "cash"},
            headers={**who, **key()},
        )
        assert r.status_code == 404


async def test_fee_item_targeted_by_grade_level_bills_only_that_grade(
    client: httpx.AsyncClient, school: DemoSummary
) -> None:
    """student5 is in grade 7 (Northside), student6 in grade 10 (Riverside)."""
    acc = await sign_in(client, "accountant@demo.test")
    trips = await post(client, "/fee-categories", {"code": "trips", "name": "Trips"}, acc)
    trip = await post(
        client,
        "/fee-items",
        {
            "category_id": trips["id"],
            "name": "Grade 7 museum trip",
            "amount": "25.00",
            "target": "grade",
            "target_value": "7",
        },
        acc,
    )
    plan = await post(
        client,
        "/fee-plans",
        {
            "name": "Trips",
            "item_ids": [trip["id"]],
            "installments": [{"label": "Once", "due_on": "2026-03-01", "share": 1}],
        },
        acc,
    )
    s5, s6 = school.person("student5@demo.test"), school.person("student6@demo.test")
    await post(
        client,
        "/accounts",
        {
            "kind": "family",
            "name": "Family 5",
            "students": [
                {"student_id": str(s5), "fee_plan_id": plan["id"]},
                {"student_id": str(s6), "fee_plan_id": plan["id"]},
            ],
        },
        acc,
    )
    invoices = await post(
        client, "/invoices/generate", {"plan_id": plan["id"], "due_by": "2026-12-31"}, acc
    )
    lines = [(ln["student_id"], ln["amount"]["amount"]) for inv in invoices for ln in inv["lines"]]
    assert lines == [(str(s5), "25.00")]
