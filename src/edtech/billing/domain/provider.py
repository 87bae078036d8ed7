"""The payment-provider port: what billing needs from a card/online payment provider."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class ProviderIntent:
    """A payment the provider will collect (the payer is sent to `redirect_url`)."""

    ref: str
    redirect_url: str


@dataclass(frozen=True)
class ProviderEvent:
    """A verified webhook event: the provider collected money for an intent."""

    event_id: str
    type: str
    intent_ref: str
    amount_minor: int
    currency: str


class PaymentProvider(Protocol):
    """The port to a card/online payment provider."""

    name: str

    def create_intent(
        self, *, amount_minor: int, currency: str, reference: str
    ) -> ProviderIntent: ...

    def verify_webhook(
        self, headers: Mapping[str, str], body: bytes, now: datetime
    ) -> ProviderEvent:
        """Check the signature and freshness; raise AuthenticationError if either is wrong."""
        ...
