"""Use cases for money coming in and going back: payments, provider checkouts, refunds."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime

from edtech.billing.application.common import (
    BeforeCommit,
    Roster,
    UseCase,
    not_found,
    require_manager,
)
from edtech.billing.domain import ledger
from edtech.billing.domain.accounts import PayerAccount
from edtech.billing.domain.invoices import Invoice
from edtech.billing.domain.money import Money
from edtech.billing.domain.payments import (
    AllocationKind,
    Payment,
    PaymentMethod,
    Refund,
    oldest_first,
    plan_refund,
)
from edtech.billing.domain.provider import (
    COLLECTED,
    PaymentProvider,
    PaymentsNotSetUpError,
    ProviderEvent,
    ProviderIntent,
)
from edtech.billing.infrastructure.repositories.accounts import SqlAlchemyPayerAccounts
from edtech.billing.infrastructure.repositories.invoices import SqlAlchemyInvoices
from edtech.billing.infrastructure.repositories.payments import (
    SqlAlchemyCheckouts,
    SqlAlchemyPayments,
    SqlAlchemyRefunds,
    checkout_by_ref,
)
from edtech.kernel.clock import Clock
from edtech.kernel.errors import FieldProblem, InvalidError
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork


@dataclass(frozen=True)
class AllocationIn:
    invoice_id: uuid.UUID
    amount: str


@dataclass(frozen=True)
class NewPayment:
    amount: str
    currency: str
    method: PaymentMethod
    reference: str = ""
    received_at: datetime | None = None
    allocations: list[AllocationIn] | None = None


class PaymentUseCase(UseCase):
    async def receive(
        self,
        account: PayerAccount,
        amount_minor: int,
        method: PaymentMethod,
        reference: str,
        received_at: datetime,
        recorded_by: uuid.UUID | None,
        explicit: list[tuple[Invoice, int]] | None,
        provider: str | None = None,
        provider_ref: str | None = None,
    ) -> Payment:
        """Record the money, allocate it (as told, else oldest due first), keep the rest as
        account credit, give it the next receipt number and post it to the ledger."""
        payment = Payment(
            id=new_id(),
            institution_id=account.institution_id,
            account_id=account.id,
            amount_minor=amount_minor,
            currency=account.currency,
            method=method,
            reference=reference,
            receipt=await self.next_number(account.institution_id, "receipt"),
            received_at=received_at,
            recorded_by=recorded_by,
            provider=provider,
            provider_ref=provider_ref,
        )
        payments = SqlAlchemyPayments(self.uow.session, account.institution_id)
        payments.add(payment)
        await self.uow.session.flush()  # allocations refer to it; the ORM does not know that
        if explicit is None:
            invoices = SqlAlchemyInvoices(self.uow.session, account.institution_id)
            explicit = oldest_first(await invoices.open_of(account.id), amount_minor)
        for invoice, amount in explicit:
            payments.add_allocation(
                payment.allocate(invoice, amount, AllocationKind.PAYMENT, new_id(), self.now())
            )
        payment.received(self.now(), await self.family_guardians(account, account.student_ids))
        await self.post(
            account.institution_id,
            ledger.payment_received(
                account.id, payment.id, account.currency, amount_minor, payment.allocated_minor
            ),
        )
        return payment


class RecordPayment(PaymentUseCase):
    """An accountant records cash, a cheque or a bank transfer for an account: positive, in
    the account's currency; allocated as told (each to an open invoice of the account, at
    most its due, in total at most the payment) or else to the oldest invoices first; any
    rest becomes account credit. Every payment gets a gapless receipt number."""

    async def __call__(
        self,
        principal: Principal,
        account_id: uuid.UUID,
        cmd: NewPayment,
        before_commit: BeforeCommit | None = None,
    ) -> Payment:
        require_manager(principal)
        if cmd.method == PaymentMethod.CARD:
            raise InvalidError(
                "Card payments come from the payment provider, not by hand.",
                [FieldProblem(("method",), "use cash, cheque or bank_transfer")],
            )
        async with self.uow:
            accounts = SqlAlchemyPayerAccounts(self.uow.session, principal.institution_id)
            account = await accounts.get(account_id, lock=True)
            if account is None:
                raise not_found("Account")
            account.require_currency(cmd.currency)
            amount = Money.parse(cmd.amount, account.currency).minor
            if amount <= 0:
                raise InvalidError(
                    "A payment must be positive.", [FieldProblem(("amount",), "must be > 0")]
                )
            explicit = None
            if cmd.allocations is not None:
                explicit = await self._explicit(account, amount, cmd.allocations)
            payment = await self.receive(
                account,
                amount,
                cmd.method,
                cmd.reference,
                cmd.received_at or self.now(),
                principal.person_id,
                explicit,
            )
            await self.commit(payment, before_commit)
            return payment

    async def _explicit(
        self, account: PayerAccount, amount: int, given: list[AllocationIn]
    ) -> list[tuple[Invoice, int]]:
        invoices = SqlAlchemyInvoices(self.uow.session, account.institution_id)
        problems: list[FieldProblem] = []
        plan: list[tuple[Invoice, int]] = []
        seen: set[uuid.UUID] = set()
        for n, a in enumerate(given):
            invoice = await invoices.get(a.invoice_id, lock=True)
            if invoice is None or invoice.account_id != account.id:
                problems.append(FieldProblem(("allocations", n, "invoice_id"), "no such invoice"))
                continue
            if invoice.id in seen:
                problems.append(FieldProblem(("allocations", n, "invoice_id"), "listed twice"))
                continue
            seen.add(invoice.id)
            if invoice.status != "open":
                problems.append(
                    FieldProblem(("allocations", n, "invoice_id"), f"invoice is {invoice.status}")
                )
                continue
            share = Money.parse(a.amount, account.currency).minor
            if not 0 < share <= invoice.amount_due_minor:
                problems.append(
                    FieldProblem(("allocations", n, "amount"), "must be positive and ≤ amount due")
                )
                continue
            plan.append((invoice, share))
        if sum(s for _, s in plan) > amount:
            problems.append(FieldProblem(("allocations",), "allocate at most the payment"))
        if problems:
            raise InvalidError("The allocations are not valid.", problems)
        return plan


@dataclass(frozen=True)
class NewRefund:
    amount: str
    reason: str
    currency: str | None = None


class ProviderUseCase(PaymentUseCase):
    """A payment use case that may talk to the node's payment provider (None: not set up)."""

    def __init__(
        self, uow: UnitOfWork, clock: Clock, roster: Roster, provider: PaymentProvider | None
    ) -> None:
        super().__init__(uow, clock, roster)
        self.provider = provider

    def card_provider(self, name: str | None = None) -> PaymentProvider:
        """The node's provider (the one named, when a card payment came through it)."""
        if self.provider is None:
            raise PaymentsNotSetUpError("Card payments are not set up for this institution.")
        if name is not None and self.provider.name != name:
            raise PaymentsNotSetUpError(
                f"This card payment came through {name}, which is not set up here."
            )
        return self.provider


class RefundPayment(ProviderUseCase):
    """A refund gives back part or all of one payment (never more than was paid and not yet
    refunded): first from the credit the payment left, then by taking its allocations back
    from open or paid invoices, latest first, which are due again (money on a written-off
    invoice stays there). A card payment is refunded through the provider that collected it,
    and the refund is recorded only if the provider made it. Refunds have gapless numbers."""

    async def __call__(
        self,
        principal: Principal,
        payment_id: uuid.UUID,
        cmd: NewRefund,
        before_commit: BeforeCommit | None = None,
    ) -> Refund:
        require_manager(principal)
        async with self.uow:
            inst, session = principal.institution_id, self.uow.session
            payments = SqlAlchemyPayments(session, inst)
            invoices = SqlAlchemyInvoices(session, inst)
            payment = await payments.get(payment_id)
            if payment is None:
                raise not_found("Payment")
            account = await SqlAlchemyPayerAccounts(session, inst).get(
                payment.account_id, lock=True
            )
            assert account is not None
            payment = await payments.get(payment_id, lock=True)
            assert payment is not None
            if cmd.currency is not None:
                account.require_currency(cmd.currency)
            amount = Money.parse(cmd.amount, payment.currency).minor
            net: dict[uuid.UUID, int] = {}
            for alloc in await payments.allocations_of(payment.id):
                net[alloc.invoice_id] = net.get(alloc.invoice_id, 0) + alloc.amount_minor
            # Money on a written-off invoice stays there: only open or paid ones give it back.
            for invoice_id in list(net):
                invoice = await invoices.get(invoice_id, lock=True)
                if invoice is None or invoice.status not in ("open", "paid"):
                    del net[invoice_id]
            plan = plan_refund(payment, amount, list(net.items()))
            refund = Refund(
                id=new_id(),
                institution_id=payment.institution_id,
                account_id=payment.account_id,
                payment_id=payment.id,
                number=await self.next_number(inst, "refund"),
                currency=payment.currency,
                amount_minor=amount,
                reason=cmd.reason,
                created_at=self.now(),
                created_by=principal.person_id,
            )
            for invoice_id, take in plan.from_invoices:
                invoice = await invoices.get(invoice_id, lock=True)
                assert invoice is not None
                payments.add_allocation(payment.take_back(invoice, take, new_id(), self.now()))
            if payment.provider is not None and payment.provider_ref is not None:
                # Last, once our side is sure to hold. The key names this refund by what was
                # refunded before it, so a retry after a rolled-back commit asks the provider
                # for the same refund again instead of a second one.
                await self.card_provider(payment.provider).refund(
                    intent_ref=payment.provider_ref,
                    amount_minor=amount,
                    currency=payment.currency,
                    idempotency_key=f"edtech-refund-{payment.id}-{payment.refunded_minor}-{amount}",
                )
            payment.refunded_minor += amount
            SqlAlchemyRefunds(session, inst).add(refund)
            await self.post(
                inst,
                ledger.refund(
                    payment.account_id,
                    refund.id,
                    payment.currency,
                    plan.from_credit_minor,
                    amount - plan.from_credit_minor,
                ),
            )
            await self.commit(refund, before_commit)
            return refund


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


class ReceiveProviderEvent(ProviderUseCase):
    """A verified provider event records its payment once: a replayed event id, or a second
    event for the same intent, changes nothing. The money is allocated oldest due first;
    the currency must be the checkout's. Events other than money collected change nothing."""

    async def __call__(self, event: ProviderEvent) -> Payment | None:
        provider = self.card_provider()
        if event.type != COLLECTED:
            return None
        async with self.uow:
            row = await checkout_by_ref(self.uow.session, provider.name, event.intent_ref)
            if row is None:
                raise not_found("Checkout")
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
