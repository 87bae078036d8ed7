"""The use case that starts an online (card) payment with the provider."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

from edtech.billing.application.common import BeforeCommit, ProviderUseCase
from edtech.billing.domain.accounts import PayerAccount
from edtech.billing.domain.money import Money
from edtech.billing.domain.provider import ProviderIntent
from edtech.billing.infrastructure.repositories.payments import SqlAlchemyCheckouts
from edtech.kernel.errors import FieldProblem, InvalidError
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Principal


@dataclass(frozen=True)
class Checkout:
    """An online payment started with the provider; the money arrives by webhook."""

    id: uuid.UUID
    account_id: uuid.UUID
    amount_minor: int
    currency: str
    provider: str
    intent: ProviderIntent


@dataclass(frozen=True)
class NewCheckout:
    amount: str
    currency: str
    key: str = ""
    """The request's Idempotency-Key: a retry asks the provider for the same checkout."""


class StartCheckout(ProviderUseCase):
    """A manager, or a guardian who may see the family's bills, starts an online payment of
    a positive amount in the account's currency; nothing is recorded until the provider
    confirms it by a signed webhook. Without a payment provider, card payments are not set
    up for the institution and nothing starts."""

    async def __call__(
        self,
        principal: Principal,
        account: PayerAccount,
        cmd: NewCheckout,
        before_commit: BeforeCommit | None = None,
    ) -> Checkout:
        provider = self.card_provider()
        async with self.uow:
            account.require_currency(cmd.currency)
            amount = Money.parse(cmd.amount, account.currency).minor
            if amount <= 0:
                raise InvalidError(
                    "A payment must be positive.", [FieldProblem(("amount",), "must be > 0")]
                )
            asked = f"{account.id}:{principal.person_id}:{cmd.key or new_id()}"
            intent = await provider.create_intent(
                amount_minor=amount,
                currency=account.currency,
                reference=str(account.id),
                idempotency_key="edtech-checkout-" + hashlib.sha256(asked.encode()).hexdigest(),
            )
            checkouts = SqlAlchemyCheckouts(self.uow.session, principal.institution_id)
            checkout_id = await checkouts.add(
                account_id=account.id,
                provider=provider.name,
                ref=intent.ref,
                amount_minor=amount,
                currency=account.currency,
                at=self.now(),
            )
            result = Checkout(
                checkout_id, account.id, amount, account.currency, provider.name, intent
            )
            await self.commit(result, before_commit)
            return result
