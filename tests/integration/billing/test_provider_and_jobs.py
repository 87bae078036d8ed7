"""Online payments through the fake provider in demo mode (signed, replay-safe webhooks) and the
overdue job."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI

from edtech.billing.infrastructure.provider import CardPayments, FakePaymentProvider
from edtech.billing.public import check_consistency, remind_overdue
from edtech.demo import DemoSummary
from edtech.platform.services import Services
from edtech.settings import Settings
from tests.integration.billing.helpers import API, key, post, sign_in


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Demo mode: no provider is configured, so the node takes card payments with the fake."""
    return Settings(**{**settings.model_dump(), "demo": True})


async def family_with_invoice(
    client: httpx.AsyncClient, school: DemoSummary
) -> tuple[dict[str, str], dict, dict]:
    acc = await sign_in(client, "accountant@demo.test")
    family = await post(
        client,
        "/accounts",
        {"name": "F1", "students": [{"student_id": str(school.student1_id)}]},
        acc,
    )
    draft = await post(
        client,
        "/invoices",
        {
            "account_id": family["id"],
            "due_on": "2026-01-31",
            "lines": [{"description": "Trip", "amount": "60.00"}],
        },
        acc,
    )
    invoice = await post(client, f"/invoices/{draft['id']}/finalize", {}, acc, status=200)
    return acc, family, invoice


async def test_guardian_pays_online_once_despite_replayed_webhooks(
    client: httpx.AsyncClient, school: DemoSummary, app: FastAPI
) -> None:
    acc, family, invoice = await family_with_invoice(client, school)
    guardian = await sign_in(client, "guardian1@demo.test")
    checkout = await post(
        client,
        f"/accounts/{family['id']}/checkouts",
        {"amount": "60.00", "currency": "USD"},
        {**guardian, **key()},
    )
    assert checkout["provider"] == "fake"
    services: Services = app.state.services
    provider = services.components.get(CardPayments).provider
    assert isinstance(provider, FakePaymentProvider)
    body = provider.event_body(
        event_id="evt_1", intent_ref=checkout["intent_ref"], amount_minor=6000, currency="USD"
    )
    now = services.clock.now()
    headers = {"Edtech-Signature": provider.sign(body, now), "Content-Type": "application/json"}
    first = await client.post(f"{API}/webhooks/fake", content=body, headers=headers)
    assert first.status_code == 200, first.text
    assert first.json()["recorded"] is True
    replay = await client.post(f"{API}/webhooks/fake", content=body, headers=headers)
    assert replay.json()["recorded"] is False
    other_id = provider.event_body(
        event_id="evt_2", intent_ref=checkout["intent_ref"], amount_minor=6000, currency="USD"
    )
    again = await client.post(
        f"{API}/webhooks/fake",
        content=other_id,
        headers={**headers, "Edtech-Signature": provider.sign(other_id, now)},
    )
    assert again.json()["recorded"] is False  # the intent is paid already

    forged = await client.post(
        f"{API}/webhooks/fake", content=body.replace(b"6000", b"9000"), headers=headers
    )
    assert forged.status_code == 401
    stale = await client.post(
        f"{API}/webhooks/fake",
        content=body,
        headers={**headers, "Edtech-Signature": provider.sign(body, now - timedelta(minutes=10))},
    )
    assert stale.status_code == 401
    # A signature past ASCII (a header is Latin-1): hmac refused to compare it, a 500 before.
    accented = provider.sign(body, now).replace("v1=", "v1=\u00e9", 1).encode("latin-1")
    r = await client.post(
        f"{API}/webhooks/fake", content=body, headers={**headers, "Edtech-Signature": accented}
    )
    assert r.status_code == 401, r.text

    paid = (await client.get(f"{API}/invoices/{invoice['id']}", headers=guardian)).json()
    assert paid["status"] == "paid"
    payments = (
        await client.get(f"{API}/payments", params={"account_id": family["id"]}, headers=acc)
    ).json()
    assert payments["total"] == 1
    assert payments["items"][0]["method"] == "card"

    stranger = await sign_in(client, "guardian3@demo.test")
    r = await client.post(
        f"{API}/accounts/{family['id']}/checkouts",
        json={"amount": "1.00", "currency": "USD"},
        headers={**stranger, **key()},
    )
    assert r.status_code == 404


async def test_overdue_job_reminds_once_per_interval(
    client: httpx.AsyncClient, school: DemoSummary, app: FastAPI
) -> None:
    acc, _, _ = await family_with_invoice(client, school)
    services: Services = app.state.services
    assert await remind_overdue(services) == 1
    assert await remind_overdue(services) == 0  # not again within a week
    async with services.session_factory() as session:
        report = await check_consistency(session)
    assert report.ok, report.problems
    aging = (
        await client.get(f"{API}/reports/aging", params={"as_of": "2026-03-15"}, headers=acc)
    ).json()
    [row] = aging["rows"]
    assert row["days_31_60"]["amount"] == "60.00"
    assert aging["total"]["minor"] == 6000


@pytest.mark.parametrize("who", ["guardian1@demo.test", "teacher1@demo.test"])
async def test_reports_are_for_managers_only(
    client: httpx.AsyncClient, school: DemoSummary, who: str
) -> None:
    headers = await sign_in(client, who)
    assert (await client.get(f"{API}/reports/aging", headers=headers)).status_code == 404
    assert (await client.get(f"{API}/fee-plans", headers=headers)).status_code == 404
    assert (
        await client.get(f"{API}/accounts/{uuid.uuid4()}/ledger", headers=headers)
    ).status_code == 404
