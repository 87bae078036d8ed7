"""The use case that records the payment a provider's verified webhook reports."""

from __future__ import annotations

from edtech.billing.application.common import ProviderUseCase
from edtech.billing.domain.payments import Payment, PaymentMethod
from edtech.billing.domain.provider import COLLECTED, ProviderEvent
from edtech.billing.infrastructure.repositories.accounts import SqlAlchemyPayerAccounts
from edtech.billing.infrastructure.repositories.payments import (
    SqlAlchemyCheckouts,
    SqlAlchemyPayments,
    checkout_by_ref,
)
from edtech.kernel.errors import InvalidError
from edtech.platform.observability.logging import get_logger

log = get_logger(__name__)


class ReceiveProviderEvent(ProviderUseCase):
    """A verified provider event records its payment once: a replayed event id, or a second
    event for the same intent, changes nothing. The money is allocated oldest due first;
    the currency must be the checkout's. Events other than money collected change nothing, and
    so does money collected for a checkout that is not ours (an account's webhook endpoint also
    hears its other systems' checkouts): it is acknowledged and logged, since a refusal would
    have the provider deliver it again for days."""

    async def __call__(self, event: ProviderEvent) -> Payment | None:
        provider = self.card_provider()
        if event.type != COLLECTED:
            return None
        async with self.uow:
            row = await checkout_by_ref(self.uow.session, provider.name, event.intent_ref)
            if row is None:
                log.warning(
                    "webhook_unknown_checkout",
                    provider=provider.name,
                    intent_ref=event.intent_ref,
                    event_id=event.event_id,
                )
                return None
            checkouts = SqlAlchemyCheckouts(self.uow.session, row.institution_id)
            if not await checkouts.remember_event(provider.name, event.event_id, self.now()):
                return None
            accounts = SqlAlchemyPayerAccounts(self.uow.session, row.institution_id)
            account = await accounts.get(row.account_id, lock=True)
            assert account is not None
            account.require_currency(event.currency)
            if event.amount_minor <= 0:
                raise InvalidError("The provider reported a non-positive amount.")
            payments = SqlAlchemyPayments(self.uow.session, row.institution_id)
            existing = await payments.by_provider_ref(provider.name, event.intent_ref)
            if existing is not None:
                await self.uow.commit()  # remember the event id; the intent is already paid
                return None
            payment = await self.receive(
                account,
                event.amount_minor,
                PaymentMethod.CARD,
                event.intent_ref,
                self.now(),
                None,
                None,
                provider=provider.name,
                provider_ref=event.intent_ref,
            )
            await self.uow.commit()
            return payment
