"""The Stripe adapter of the payment-provider port: Checkout Sessions, refunds, signed webhooks.

A checkout is a Stripe Checkout Session (the payer pays on Stripe's page, `redirect_url`); its
id (`cs_…`) is our intent reference. Money arrives by the webhook `checkout.session.completed`
(paid at once) or `checkout.session.async_payment_succeeded` (bank debits, later). Every call
that moves money carries our idempotency key, and the client retries network failures with it,
so a retry never charges or refunds twice. Webhooks are verified as Stripe documents: HMAC-SHA256
of `{t}.{payload}` with the endpoint's secret, in `Stripe-Signature: t=…,v1=…`; freshness is
judged by our clock, not the library's, so one clock rules every rule with a time in it.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Mapping
from datetime import datetime, timedelta
from typing import Any, TypeVar

import stripe

from edtech.billing.domain.provider import (
    COLLECTED,
    ProviderEvent,
    ProviderIntent,
    ProviderRefusedError,
    ProviderUnavailableError,
)
from edtech.kernel.errors import AuthenticationError, InvalidError
from edtech.platform.observability.logging import get_logger

SIGNATURE_HEADER = "stripe-signature"
TOLERANCE = timedelta(seconds=stripe.Webhook.DEFAULT_TOLERANCE)
PAID_AT_ONCE = "checkout.session.completed"
PAID_LATER = "checkout.session.async_payment_succeeded"

log = get_logger(__name__)
T = TypeVar("T")


class _HttpxClient(stripe.HTTPXClient):
    """The library's httpx client, sending the form body as `content=`: it passes the encoded
    string as `data=`, which httpx deprecates (a DeprecationWarning on every POST)."""

    def _get_request_args_kwargs(
        self, method: str, url: str, headers: Mapping[str, str], post_data: Any
    ) -> list[Any]:
        args, kwargs = super()._get_request_args_kwargs(method, url, headers, post_data)
        if isinstance(kwargs.get("data"), str | bytes):
            kwargs["content"] = kwargs.pop("data")
        return [args, kwargs]


class StripePaymentProvider:
    """Collects and refunds card payments through Stripe (one client per node)."""

    name = "stripe"

    def __init__(
        self,
        *,
        secret_key: str,
        webhook_secret: str,
        success_url: str,
        cancel_url: str,
        api_base: str = stripe.DEFAULT_API_BASE,
    ) -> None:
        self._webhook_secret = webhook_secret
        self._success_url = success_url
        self._cancel_url = cancel_url
        # httpx: real async I/O (the library's default client would block the event loop).
        self._http = _HttpxClient()
        self._client = stripe.StripeClient(
            secret_key,
            base_addresses={"api": api_base},
            http_client=self._http,
            max_network_retries=2,
        )

    async def create_intent(
        self, *, amount_minor: int, currency: str, reference: str, idempotency_key: str
    ) -> ProviderIntent:
        session = await self._call(
            "checkout",
            self._client.v1.checkout.sessions.create_async(
                params={
                    "mode": "payment",
                    "line_items": [
                        {
                            "quantity": 1,
                            "price_data": {
                                "currency": currency.lower(),
                                "unit_amount": amount_minor,
                                "product_data": {"name": "School fees"},
                            },
                        }
                    ],
                    "client_reference_id": reference,
                    "metadata": {"edtech_account": reference},
                    "success_url": self._success_url,
                    "cancel_url": self._cancel_url,
                },
                options={"idempotency_key": idempotency_key},
            ),
        )
        if not session.url:
            raise ProviderRefusedError("Stripe made a checkout without a payment page.")
        return ProviderIntent(ref=session.id, redirect_url=session.url)

    async def refund(
        self, *, intent_ref: str, amount_minor: int, currency: str, idempotency_key: str
    ) -> str:
        # A Checkout Session is not refundable itself; the PaymentIntent it made is.
        session = await self._call(
            "refund", self._client.v1.checkout.sessions.retrieve_async(intent_ref)
        )
        intent = session.payment_intent
        if intent is None:
            raise ProviderRefusedError("Stripe has no payment for this checkout to refund.")
        refund = await self._call(
            "refund",
            self._client.v1.refunds.create_async(
                params={
                    "payment_intent": intent if isinstance(intent, str) else intent.id,
                    "amount": amount_minor,
                    "metadata": {"edtech_checkout": intent_ref},
                },
                options={"idempotency_key": idempotency_key},
            ),
        )
        return refund.id

    def verify_webhook(
        self, headers: Mapping[str, str], body: bytes, now: datetime
    ) -> ProviderEvent:
        header = headers.get(SIGNATURE_HEADER, "")
        if not header.isascii():  # stripe compares it as `str`: a TypeError past ASCII
            raise AuthenticationError("Missing, malformed or bad webhook signature.")
        try:
            stripe.WebhookSignature.verify_header(body, header, self._webhook_secret)
        except stripe.SignatureVerificationError:
            raise AuthenticationError("Missing, malformed or bad webhook signature.") from None
        # Verified, so the header is well formed; a signed timestamp far from now is a replay.
        ts = int(dict(p.split("=", 1) for p in header.split(",") if "=" in p)["t"])
        if abs(now.timestamp() - ts) > TOLERANCE.total_seconds():
            raise AuthenticationError("Webhook timestamp outside the tolerance.")
        try:
            doc = json.loads(body)
            kind = str(doc["type"])
            obj = doc["data"]["object"]
            collected = kind == PAID_LATER or (
                kind == PAID_AT_ONCE and obj.get("payment_status") == "paid"
            )
            return ProviderEvent(
                event_id=str(doc["id"]),
                type=COLLECTED if collected else kind,
                intent_ref=str(obj.get("id", "")),
                amount_minor=int(obj.get("amount_total") or 0),
                currency=str(obj.get("currency") or "").upper(),
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            raise InvalidError("Malformed webhook event.") from None

    async def stop(self) -> None:
        await self._http.close_async()  # type: ignore[no-untyped-call]  # the library's own

    async def _call(self, what: str, request: Awaitable[T]) -> T:
        try:
            return await request
        except (stripe.InvalidRequestError, stripe.CardError, stripe.IdempotencyError) as exc:
            log.warning("stripe_refused", what=what, error=str(exc))
            raise ProviderRefusedError(
                f"Stripe refused the {what}: {exc.user_message or exc.code or 'see its dashboard'}."
            ) from None
        except stripe.StripeError as exc:
            log.warning("stripe_unavailable", what=what, error=str(exc))
            raise ProviderUnavailableError(
                f"The payment provider is not answering; the {what} was not made. Try again later."
            ) from None
