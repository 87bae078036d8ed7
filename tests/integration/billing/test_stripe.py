"""Card payments through Stripe: checkouts with idempotency keys, signed webhooks, refunds —
against recorded Stripe responses on a loopback server, with webhooks signed as Stripe signs."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI

from edtech.billing.infrastructure import tables as t
from edtech.billing.public import check_consistency
from edtech.demo import DemoSummary
from edtech.platform.services import Services
from edtech.settings import Settings
from tests.integration.billing.helpers import API, key, post, sign_in
from tests.integration.billing.stripe_server import StripeServer, recorded
from tests.integration.billing.test_provider_and_jobs import family_with_invoice

WEBHOOK_SECRET = "whsec_test_5b3f9c0e7a2d4b8f1c6e9a3d7b2f5c8e"
SESSION = recorded("checkout_session_created")
PAID = recorded("checkout_session_completed")
RECORDED_REFUND = recorded("refund")


@pytest.fixture
async def stripe_server() -> AsyncIterator[StripeServer]:
    server = StripeServer()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
def settings(settings: Settings, stripe_server: StripeServer) -> Settings:
    """A real (not demo) node set up for Stripe, whose API is the loopback recorder."""
    return Settings(
        **{
            **settings.model_dump(),
            "payments_provider": "stripe",
            "stripe_secret_key": "sk_test_51Hq9edtechRecordedResponsesOnly",
            "stripe_webhook_secret": WEBHOOK_SECRET,
            "stripe_api_base": stripe_server.url,
            "payments_success_url": "https://school.example.org/billing/paid",
            "payments_cancel_url": "https://school.example.org/billing/cancelled",
        }
    )


def stripe_signature(payload: bytes, at: datetime, secret: str = WEBHOOK_SECRET) -> str:
    """The `Stripe-Signature` header as Stripe computes it: HMAC-SHA256 of `{t}.{payload}`."""
    t = int(at.timestamp())
    mac = hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def completed_event() -> bytes:
    return json.dumps(recorded("event_checkout_session_completed")).encode()


async def checkout(client: httpx.AsyncClient, school: DemoSummary) -> tuple[dict, dict, dict]:
    """A family with a 60.00 invoice, and guardian1's checkout of it through Stripe."""
    acc, family, invoice = await family_with_invoice(client, school)
    guardian = await sign_in(client, "guardian1@demo.test")
    started = await post(
        client,
        f"/accounts/{family['id']}/checkouts",
        {"amount": "60.00", "currency": "USD"},
        {**guardian, **key()},
    )
    return acc, family, {**started, "invoice": invoice}


async def deliver(client: httpx.AsyncClient, body: bytes, signature: str | None) -> httpx.Response:
    headers: dict[str, str | bytes] = {"Content-Type": "application/json"}
    if signature is not None:
        headers["Stripe-Signature"] = signature.encode("latin-1")  # as sent: a header is Latin-1
    return await client.post(f"{API}/webhooks/stripe", content=body, headers=headers)


async def test_checkout_creates_a_stripe_session_with_an_idempotency_key(
    client: httpx.AsyncClient, school: DemoSummary, stripe_server: StripeServer
) -> None:
    _, family, _ = await family_with_invoice(client, school)
    guardian = await sign_in(client, "guardian1@demo.test")
    headers = {**guardian, **key()}
    body = {"amount": "60.00", "currency": "USD"}
    r = await client.post(f"{API}/accounts/{family['id']}/checkouts", json=body, headers=headers)
    assert r.status_code == 201, r.text
    assert r.json()["provider"] == "stripe"
    assert r.json()["intent_ref"] == SESSION["id"]
    assert r.json()["redirect_url"] == SESSION["url"]

    [sent] = stripe_server.seen("POST", "/v1/checkout/sessions")
    assert sent.headers["idempotency-key"].startswith("edtech-checkout-")
    assert sent.headers["authorization"] == "Bearer sk_test_51Hq9edtechRecordedResponsesOnly"
    assert sent.form["mode"] == "payment"
    assert sent.form["line_items[0][price_data][unit_amount]"] == "6000"
    assert sent.form["line_items[0][price_data][currency]"] == "usd"
    assert sent.form["client_reference_id"] == family["id"]
    assert sent.form["success_url"] == "https://school.example.org/billing/paid"

    # The same request again is answered from our store: Stripe is not asked twice.
    path = f"{API}/accounts/{family['id']}/checkouts"
    again = await client.post(path, json=body, headers=headers)
    assert again.json() == r.json()
    assert len(stripe_server.seen("POST", "/v1/checkout/sessions")) == 1


async def test_signed_webhook_records_the_card_payment_once(
    client: httpx.AsyncClient, school: DemoSummary, app: FastAPI
) -> None:
    acc, family, started = await checkout(client, school)
    services: Services = app.state.services
    body = completed_event()
    signature = stripe_signature(body, services.clock.now())

    first = await deliver(client, body, signature)
    assert first.status_code == 200, first.text
    assert first.json()["recorded"] is True
    replay = await deliver(client, body, signature)
    assert replay.json()["recorded"] is False

    invoice = (await client.get(f"{API}/invoices/{started['invoice']['id']}", headers=acc)).json()
    assert invoice["status"] == "paid"
    payments = (
        await client.get(f"{API}/payments", params={"account_id": family["id"]}, headers=acc)
    ).json()
    assert payments["total"] == 1
    assert payments["items"][0]["method"] == "card"
    assert payments["items"][0]["amount"]["minor"] == PAID["amount_total"]


async def test_a_paid_checkout_that_is_not_ours_is_acknowledged_and_records_nothing(
    client: httpx.AsyncClient, school: DemoSummary, app: FastAPI
) -> None:
    """One Stripe account, several systems: its webhook also reports their checkouts. Refusing
    them (4xx) would have Stripe deliver them again for three days."""
    acc, family, _started = await checkout(client, school)
    event = recorded("event_checkout_session_completed")
    event["id"] = "evt_someone_elses"
    event["data"]["object"]["id"] = "cs_test_not_one_of_ours"
    body = json.dumps(event).encode()

    r = await deliver(client, body, stripe_signature(body, app.state.services.clock.now()))
    assert r.status_code == 200, r.text
    assert r.json() == {"received": True, "recorded": False, "payment_id": None}
    payments = (
        await client.get(f"{API}/payments", params={"account_id": family["id"]}, headers=acc)
    ).json()
    assert payments["total"] == 0


@pytest.mark.parametrize(
    "tamper",
    [
        "wrong secret",
        "changed body",
        "ten minutes old",
        "from the future",
        "no header",
        "non-ASCII header",  # stripe's own comparison raised TypeError on it: was a 500
    ],
)
async def test_bad_or_stale_signature_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, school: DemoSummary, app: FastAPI, tamper: str
) -> None:
    acc, family, started = await checkout(client, school)
    now = app.state.services.clock.now()
    body = completed_event()
    signature: str | None = stripe_signature(body, now)
    if tamper == "wrong secret":
        signature = stripe_signature(body, now, "whsec_someone_else")
    elif tamper == "changed body":
        body = body.replace(b'"amount_total": 6000', b'"amount_total": 9000')
    elif tamper == "ten minutes old":
        signature = stripe_signature(body, now - timedelta(minutes=10))
    elif tamper == "from the future":
        signature = stripe_signature(body, now + timedelta(minutes=10))
    elif tamper == "non-ASCII header":
        signature = stripe_signature(body, now).replace("v1=", "v1=\u00e9", 1)
    else:
        signature = None

    r = await deliver(client, body, signature)
    assert r.status_code == 401, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == "unauthenticated"
    payments = (
        await client.get(f"{API}/payments", params={"account_id": family["id"]}, headers=acc)
    ).json()
    assert payments["total"] == 0
    invoice = (await client.get(f"{API}/invoices/{started['invoice']['id']}", headers=acc)).json()
    assert invoice["status"] == "open"


async def test_refund_of_a_card_payment_goes_through_stripe(
    client: httpx.AsyncClient, school: DemoSummary, app: FastAPI, stripe_server: StripeServer
) -> None:
    acc, _, _ = await checkout(client, school)
    services: Services = app.state.services
    body = completed_event()
    paid = await deliver(client, body, stripe_signature(body, services.clock.now()))
    payment_id = paid.json()["payment_id"]

    refund = await post(
        client,
        f"/payments/{payment_id}/refunds",
        {"amount": "20.00", "reason": "trip off"},
        {**acc, **key()},
    )
    assert refund["amount"]["minor"] == 2000
    # Stripe's id of the refund is kept, to reconcile with its dashboard.
    assert (refund["provider"], refund["provider_ref"]) == ("stripe", RECORDED_REFUND["id"])

    # The session is looked up for its PaymentIntent, which is what Stripe refunds.
    assert len(stripe_server.seen("GET", f"/v1/checkout/sessions/{SESSION['id']}")) == 1
    [sent] = stripe_server.seen("POST", "/v1/refunds")
    assert sent.form["payment_intent"] == PAID["payment_intent"]
    assert sent.form["amount"] == "2000"
    assert sent.headers["idempotency-key"] == f"edtech-refund-{payment_id}-0-2000"
    async with services.session_factory() as session:
        report = await check_consistency(session)
    assert report.ok, report.problems


async def test_refund_stripe_refuses_is_409_and_records_nothing(
    client: httpx.AsyncClient, school: DemoSummary, app: FastAPI, stripe_server: StripeServer
) -> None:
    acc, family, _ = await checkout(client, school)
    body = completed_event()
    paid = await deliver(client, body, stripe_signature(body, app.state.services.clock.now()))
    payment_id = paid.json()["payment_id"]
    stripe_server.refund_answer = (400, "refund_refused")

    r = await client.post(
        f"{API}/payments/{payment_id}/refunds",
        json={"amount": "20.00", "reason": "trip off"},
        headers={**acc, **key()},
    )
    assert r.status_code == 409, r.text
    assert r.json()["code"] == "payment_provider_refused"
    assert "already been refunded" in r.json()["detail"]
    [payment] = (
        await client.get(f"{API}/payments", params={"account_id": family["id"]}, headers=acc)
    ).json()["items"]
    assert payment["refunded"]["minor"] == 0


async def test_checkout_while_stripe_is_unreachable_is_503_and_records_nothing(
    client: httpx.AsyncClient, school: DemoSummary, app: FastAPI, stripe_server: StripeServer
) -> None:
    _, family, _ = await family_with_invoice(client, school)
    guardian = await sign_in(client, "guardian1@demo.test")
    await stripe_server.stop()  # connection refused from now on
    r = await client.post(
        f"{API}/accounts/{family['id']}/checkouts",
        json={"amount": "60.00", "currency": "USD"},
        headers={**guardian, **key()},
    )
    assert r.status_code == 503, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == "payment_provider_unavailable"
    services: Services = app.state.services
    async with services.session_factory() as session:
        checkouts = await session.scalar(sa.select(sa.func.count()).select_from(t.checkout))
    assert checkouts == 0
