"""The payment-provider port: what billing needs from a card/online payment provider."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from edtech.kernel.errors import ConflictError, DomainError

COLLECTED = "collected"
"""The one event type billing acts on: the provider collected the money of an intent."""


@dataclass(frozen=True)
class ProviderIntent:
    """A payment the provider will collect (the payer is sent to `redirect_url`)."""

    ref: str
    redirect_url: str


@dataclass(frozen=True)
class ProviderEvent:
    """A verified webhook event, in billing's words (`type` is `COLLECTED` when money came)."""

    event_id: str
    type: str
    intent_ref: str
    amount_minor: int
    currency: str


class PaymentsNotSetUpError(DomainError):
    """This node has no payment provider (or not the one a card payment came through)."""

    code = "payments_not_set_up"


class ProviderUnavailableError(DomainError):
    """The provider could not be reached, or would not take our credentials; try later."""

    code = "payment_provider_unavailable"


class ProviderRefusedError(ConflictError):
    """The provider refused the request (the message says why, in its words)."""

    code = "payment_provider_refused"


class PaymentProvider(Protocol):
    """The port to a card/online payment provider.

    Every call that moves money carries an idempotency key: the same key asks the provider for
    the same thing again, so a retry after a lost answer or a rolled-back transaction cannot
    charge or refund twice.
    """

    name: str

    async def create_intent(
        self, *, amount_minor: int, currency: str, reference: str, idempotency_key: str
    ) -> ProviderIntent:
        """Ask the provider to collect `amount_minor` (`reference`: our account id)."""
        ...

    async def refund(
        self, *, intent_ref: str, amount_minor: int, currency: str, idempotency_key: str
    ) -> str:
        """Give back part or all of what the intent collected; returns the provider's id."""
        ...

    def verify_webhook(
        self, headers: Mapping[str, str], body: bytes, now: datetime
    ) -> ProviderEvent:
        """Check the signature and freshness; raise AuthenticationError if either is wrong."""
        ...

    async def stop(self) -> None:
        """Release what the adapter holds (its HTTP connections) when the node stops."""
        ...
