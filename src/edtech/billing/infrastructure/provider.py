"""Which payment provider a node uses, and the fake one: intents, and webhooks signed like
Stripe's (HMAC-SHA256).

The fake's signature header is ``Edtech-Signature: t=<unix seconds>,v1=<hex hmac of "t.body">``; a
webhook older or newer than `TOLERANCE` is refused, so a captured request cannot be replayed
later, and the event id is remembered, so a replay within the window is acknowledged once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta

from edtech.billing.domain.provider import (
    COLLECTED,
    PaymentProvider,
    ProviderEvent,
    ProviderIntent,
)
from edtech.kernel.errors import AuthenticationError, InvalidError
from edtech.platform.security.keys import same_secret
from edtech.platform.services import Services
from edtech.settings import Settings

SIGNATURE_HEADER = "edtech-signature"
TOLERANCE = timedelta(minutes=5)
SUCCEEDED = "payment_intent.succeeded"


def webhook_secret(secret_key: str) -> bytes:
    """A key of its own for webhooks, derived from the node's secret."""
    return hmac.new(secret_key.encode(), b"billing-webhook", hashlib.sha256).digest()


class FakePaymentProvider:
    """Collects nothing; tests (and the demo) play the provider by signing webhooks."""

    name = "fake"

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    async def create_intent(
        self, *, amount_minor: int, currency: str, reference: str, idempotency_key: str
    ) -> ProviderIntent:
        ref = f"fake_pi_{uuid.uuid4().hex}"
        return ProviderIntent(ref=ref, redirect_url=f"https://pay.fake.test/{ref}")

    async def refund(
        self, *, intent_ref: str, amount_minor: int, currency: str, idempotency_key: str
    ) -> str:
        return f"fake_re_{uuid.uuid4().hex}"

    async def stop(self) -> None:
        """Nothing to release (the Stripe adapter closes its HTTP client here)."""

    def sign(self, body: bytes, at: datetime) -> str:
        ts = int(at.timestamp())
        mac = hmac.new(self._secret, f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
        return f"t={ts},v1={mac}"

    def event_body(
        self, *, event_id: str, intent_ref: str, amount_minor: int, currency: str
    ) -> bytes:
        return json.dumps(
            {
                "id": event_id,
                "type": SUCCEEDED,
                "data": {"intent": intent_ref, "amount_minor": amount_minor, "currency": currency},
            }
        ).encode()

    def verify_webhook(
        self, headers: Mapping[str, str], body: bytes, now: datetime
    ) -> ProviderEvent:
        header = headers.get(SIGNATURE_HEADER, "")
        parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
        try:
            ts = int(parts["t"])
            given = parts["v1"]
        except (KeyError, ValueError):
            raise AuthenticationError("Missing or malformed webhook signature.") from None
        mac = hmac.new(self._secret, f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
        if not same_secret(mac, given):
            raise AuthenticationError("Bad webhook signature.")
        if abs(now.timestamp() - ts) > TOLERANCE.total_seconds():
            raise AuthenticationError("Webhook timestamp outside the tolerance.")
        try:
            doc = json.loads(body)
            data = doc["data"]
            kind = str(doc["type"])
            return ProviderEvent(
                event_id=str(doc["id"]),
                type=COLLECTED if kind == SUCCEEDED else kind,
                intent_ref=str(data["intent"]),
                amount_minor=int(data["amount_minor"]),
                currency=str(data["currency"]),
            )
        except (ValueError, KeyError, TypeError):
            raise InvalidError("Malformed webhook event.") from None


def build_payment_provider(settings: Settings) -> PaymentProvider | None:
    """The node's payment provider, as configured; None when card payments are not set up.

    Unset means the fake in demo mode (so the demo can take "card payments") and none
    otherwise; settings validation already refused the fake outside demo mode.
    """
    choice = settings.payments_provider or ("fake" if settings.demo else "none")
    if choice == "fake":
        return FakePaymentProvider(webhook_secret(settings.secret_key))
    if choice == "stripe":
        # Imported here: a node without Stripe never loads the library.
        from edtech.billing.infrastructure.stripe_provider import StripePaymentProvider

        return StripePaymentProvider(
            secret_key=settings.stripe_secret_key,
            webhook_secret=settings.stripe_webhook_secret,
            success_url=settings.payments_success_url,
            cancel_url=settings.payments_cancel_url,
            api_base=settings.stripe_api_base,
        )
    return None


class CardPayments:
    """The node's payment provider as a component: built once from the settings by the
    composition root, stopped with the node. `provider` is None when card payments are not
    set up (one class whatever the provider, so routes find it by `component(CardPayments)`)."""

    def __init__(self, provider: PaymentProvider | None) -> None:
        self.provider = provider

    async def stop(self) -> None:
        if self.provider is not None:
            await self.provider.stop()


def build_card_payments(services: Services) -> CardPayments:
    """The component factory named in `billing/slice.py`."""
    return CardPayments(build_payment_provider(services.settings))
