"""Which payment provider a node gets from its settings, and what the Stripe adapter makes of
webhook events (signature checks run here without I/O; the HTTP side is an integration test)."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from edtech.billing.domain.provider import COLLECTED
from edtech.billing.infrastructure.provider import FakePaymentProvider, build_payment_provider
from edtech.billing.infrastructure.stripe_provider import StripePaymentProvider
from edtech.kernel.errors import AuthenticationError, InvalidError
from edtech.settings import Settings

SECRET = "unit-test-secret-key-of-at-least-32-bytes"
STRIPE = {
    "payments_provider": "stripe",
    "stripe_secret_key": "sk_test_unit",
    "stripe_webhook_secret": "whsec_unit",
    "payments_success_url": "https://school.example.org/paid",
    "payments_cancel_url": "https://school.example.org/cancelled",
}
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def settings(**kw: Any) -> Settings:
    return Settings(secret_key=SECRET, _env_file=None, **kw)  # type: ignore[call-arg]


def test_the_fake_provider_is_refused_outside_demo_mode() -> None:
    with pytest.raises(ValidationError, match="demo mode only"):
        settings(payments_provider="fake")
    assert settings(payments_provider="fake", demo=True).payments_provider == "fake"


def test_stripe_needs_its_keys_and_urls() -> None:
    with pytest.raises(ValidationError) as caught:
        settings(payments_provider="stripe", stripe_secret_key="sk_test_unit")
    message = str(caught.value)
    for name in ("STRIPE_WEBHOOK_SECRET", "PAYMENTS_SUCCESS_URL", "PAYMENTS_CANCEL_URL"):
        assert f"EDTECH_{name}" in message
    assert "EDTECH_STRIPE_SECRET_KEY" not in message


async def test_a_node_gets_the_provider_it_is_configured_with() -> None:
    assert build_payment_provider(settings()) is None
    assert build_payment_provider(settings(payments_provider="none")) is None
    assert build_payment_provider(settings(demo=True, payments_provider="none")) is None
    assert isinstance(build_payment_provider(settings(demo=True)), FakePaymentProvider)
    stripe = build_payment_provider(settings(**STRIPE))
    assert isinstance(stripe, StripePaymentProvider)
    await stripe.stop()


def signed(doc: dict[str, Any], at: datetime = NOW) -> tuple[dict[str, str], bytes]:
    body = json.dumps(doc).encode()
    t = int(at.timestamp())
    mac = hmac.new(b"whsec_unit", f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return {"stripe-signature": f"t={t},v1={mac}"}, body


def session_event(kind: str, payment_status: str) -> dict[str, Any]:
    return {
        "id": "evt_unit",
        "type": kind,
        "data": {
            "object": {
                "id": "cs_test_unit",
                "object": "checkout.session",
                "amount_total": 1250,
                "currency": "eur",
                "payment_status": payment_status,
            }
        },
    }


@pytest.fixture
async def stripe() -> Any:
    provider = StripePaymentProvider(
        secret_key="sk_test_unit", webhook_secret="whsec_unit", success_url="s", cancel_url="c"
    )
    yield provider
    await provider.stop()


async def test_a_paid_checkout_session_is_money_collected(stripe: StripePaymentProvider) -> None:
    event = stripe.verify_webhook(*signed(session_event("checkout.session.completed", "paid")), NOW)
    assert event.type == COLLECTED
    assert (event.intent_ref, event.amount_minor, event.currency) == ("cs_test_unit", 1250, "EUR")
    later = session_event("checkout.session.async_payment_succeeded", "paid")
    assert stripe.verify_webhook(*signed(later), NOW).type == COLLECTED


async def test_a_session_completed_but_unpaid_collects_nothing(
    stripe: StripePaymentProvider,
) -> None:
    doc = session_event("checkout.session.completed", "unpaid")  # a bank debit, paid later
    assert stripe.verify_webhook(*signed(doc), NOW).type != COLLECTED
    expired = session_event("checkout.session.expired", "unpaid")
    assert stripe.verify_webhook(*signed(expired), NOW).type == "checkout.session.expired"


async def test_signature_freshness_is_judged_by_our_clock(stripe: StripePaymentProvider) -> None:
    doc = session_event("checkout.session.completed", "paid")
    assert stripe.verify_webhook(*signed(doc, NOW - timedelta(minutes=4)), NOW).type == COLLECTED
    for off in (timedelta(minutes=-6), timedelta(minutes=6)):
        with pytest.raises(AuthenticationError):
            stripe.verify_webhook(*signed(doc, NOW + off), NOW)


async def test_a_signed_but_malformed_event_is_invalid(stripe: StripePaymentProvider) -> None:
    with pytest.raises(InvalidError):
        stripe.verify_webhook(*signed({"id": "evt_unit"}), NOW)
