"""Bad input gets a clear problem and changes nothing; other tenants' ids look missing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import sqlalchemy as sa

from edtech.demo import DemoSummary, OtherSummary
from edtech.institutions.infrastructure.tables import institution
from tests.integration.billing.helpers import API, key, post, sign_in


async def setup(client: httpx.AsyncClient, school: DemoSummary) -> tuple[dict[str, str], Any]:
    acc = await sign_in(client, "accountant@demo.test")
    family = await post(
        client,
        "/accounts",
        {"name": "F", "students": [{"student_id": str(school.person("student1@demo.test"))}]},
        acc,
    )
    return acc, family


async def snapshot(client: httpx.AsyncClient, acc: dict[str, str], family: Any) -> Any:
    ledger = await client.get(f"{API}/accounts/{family['id']}/ledger", headers=acc)
    invoices = await client.get(f"{API}/invoices", params={"account_id": family["id"]}, headers=acc)
    return ledger.json(), invoices.json()


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"amount": "0", "currency": "USD", "method": "cash"}, "invalid"),
        ({"amount": "-5.00", "currency": "USD", "method": "cash"}, "invalid"),
        ({"amount": "1.001", "currency": "USD", "method": "cash"}, "invalid"),
        ({"amount": "5.00", "currency": "EUR", "method": "cash"}, "currency_mismatch"),
        ({"amount": 5.5, "currency": "USD", "method": "cash"}, "validation_failed"),
        # Arabic-Indic digits: Python's `\d` and `Decimal` took them as 123, the document's not
        (
            {"amount": "\u0661\u0662\u0663", "currency": "USD", "method": "cash"},
            "validation_failed",
        ),
        ({"amount": "5.00", "currency": "USD", "method": "card"}, "invalid"),
    ],
)
async def test_bad_payments_are_refused_and_change_nothing(
    client: httpx.AsyncClient, school: DemoSummary, body: dict[str, Any], code: str
) -> None:
    acc, family = await setup(client, school)
    before = await snapshot(client, acc, family)
    r = await client.post(
        f"{API}/accounts/{family['id']}/payments", json=body, headers={**acc, **key()}
    )
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == code
    assert await snapshot(client, acc, family) == before


async def test_paying_a_void_invoice_and_over_refunding_are_refused(
    client: httpx.AsyncClient, school: DemoSummary
) -> None:
    acc, family = await setup(client, school)
    inv = await post(
        client,
        "/invoices",
        {
            "account_id": family["id"],
            "due_on": "2026-02-01",
            "lines": [{"description": "Trip", "amount": "40.00"}],
        },
        acc,
    )
    inv = await post(client, f"/invoices/{inv['id']}/finalize", {}, acc, status=200)
    voided = await post(client, f"/invoices/{inv['id']}/void", {}, acc, status=200)
    assert voided["status"] == "void"
    assert voided["amount_due"]["minor"] == 0
    before = await snapshot(client, acc, family)
    r = await client.post(
        f"{API}/accounts/{family['id']}/payments",
        json={
            "amount": "40.00",
            "currency": "USD",
            "method": "cash",
            "allocations": [{"invoice_id": inv["id"], "amount": "40.00"}],
        },
        headers={**acc, **key()},
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["allocations", 0, "invoice_id"]
    assert await snapshot(client, acc, family) == before
    again = await client.post(f"{API}/invoices/{inv['id']}/void", headers=acc)
    assert again.status_code == 409

    pay = await post(
        client,
        f"/accounts/{family['id']}/payments",
        {"amount": "30.00", "currency": "USD", "method": "cash"},
        {**acc, **key()},
    )
    too_much = await client.post(
        f"{API}/payments/{pay['id']}/refunds",
        json={"amount": "30.01", "reason": "oops"},
        headers={**acc, **key()},
    )
    assert too_much.status_code == 422
    assert too_much.json()["code"] == "refund_exceeds_payment"
    ok = await post(
        client,
        f"/payments/{pay['id']}/refunds",
        {"amount": "30.00", "reason": "ok"},
        {**acc, **key()},
    )
    assert ok["number"] == "RFD-000001"
    ledger = (await client.get(f"{API}/accounts/{family['id']}/ledger", headers=acc)).json()
    assert ledger["net_owed"]["minor"] == 0
    assert ledger["customer_credit"]["minor"] == 0


async def test_other_institution_ids_look_missing(
    client: httpx.AsyncClient, school: DemoSummary, other_institution: OtherSummary
) -> None:
    _, family = await setup(client, school)
    stranger = await sign_in(client, "admin@other.test")
    assert (await client.get(f"{API}/accounts/{family['id']}", headers=stranger)).status_code == 404
    r = await client.post(
        f"{API}/accounts/{family['id']}/payments",
        json={"amount": "1.00", "currency": "USD", "method": "cash"},
        headers={**stranger, **key()},
    )
    assert r.status_code == 404
    assert (await client.get(f"{API}/accounts", headers=stranger)).json() == []


async def test_a_caller_who_may_not_manage_billing_is_refused_before_the_body_is_read(
    client: httpx.AsyncClient, app: Any, school: DemoSummary
) -> None:
    """Every billing write that only billing managers may call answers a guardian 404 — the
    same as for a missing resource — whatever the body or headers: a malformed body or a
    missing Idempotency-Key is never judged (422) for someone who may not call it at all."""
    guardian = await sign_in(client, "guardian1@demo.test")
    paths = app.openapi()["paths"]
    writes = [
        path
        for path, ops in paths.items()
        if path.startswith(API)
        and "post" in ops
        and not path.startswith(f"{API}/webhooks")
        and "checkout" not in path
    ]
    assert len(writes) >= 12, writes
    nowhere = "00000000-0000-7000-8000-000000000000"
    for path in writes:
        url = path
        for name in ("account_id", "invoice_id", "payment_id"):
            url = url.replace("{" + name + "}", nowhere)
        r = await client.post(url, json={"amount": 5.5, "name": ["x"]}, headers=guardian)
        assert r.status_code == 404, (path, r.status_code, r.text)
        assert r.json()["code"] == "not_found", (path, r.text)


async def test_a_statement_dates_movements_on_the_schools_day_not_the_utc_date(
    client: httpx.AsyncClient, app: Any, school: DemoSummary
) -> None:
    """A payment made now is on today's line of the school's calendar — in the JSON, the CSV
    and the printable page — and the start/end filters count school days. The school keeps a
    zone whose date differs from the UTC date at this very instant."""
    now = datetime.now(UTC)
    zone = "Pacific/Kiritimati" if now.hour >= 10 else "Pacific/Pago_Pago"  # UTC+14 / UTC-11
    async with app.state.services.session_factory() as session:
        await session.execute(
            sa.update(institution)
            .where(institution.c.id == school.institution_id)
            .values(timezone=zone)
        )
        await session.commit()
    acc, family = await setup(client, school)
    await post(
        client,
        f"/accounts/{family['id']}/payments",
        {"amount": "12.00", "currency": "USD", "method": "cash"},
        {**acc, **key()},
    )
    day = datetime.now(UTC).astimezone(ZoneInfo(zone)).date()
    assert day != datetime.now(UTC).date()
    url = f"{API}/accounts/{family['id']}/statement"
    lines = (await client.get(url, headers=acc)).json()["lines"]
    assert [ln["day"] for ln in lines] == [day.isoformat()]
    csv_text = (await client.get(url, params={"format": "csv"}, headers=acc)).text
    assert f"{day.isoformat()},RCP-" in csv_text, csv_text
    assert day.isoformat() in (await client.get(url, params={"format": "html"}, headers=acc)).text
    on = await client.get(
        url, params={"start": day.isoformat(), "end": day.isoformat()}, headers=acc
    )
    assert len(on.json()["lines"]) == 1
    before = (day - timedelta(days=1)).isoformat()
    earlier = await client.get(url, params={"start": before, "end": before}, headers=acc)
    assert earlier.json()["lines"] == []
