"""What billing's use cases share: the unit of work, the clock, the roster, permissions, and
the steps several use cases take alike (pricing in the institution's currency, locking and
issuing invoices, receiving money, reaching the payment provider)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from edtech.billing.application.ports import Roster, RosterFactory
from edtech.billing.domain import ledger
from edtech.billing.domain.accounts import AccountKind, PayerAccount
from edtech.billing.domain.invoices import Invoice, LineKind
from edtech.billing.domain.ledger import LedgerTransaction
from edtech.billing.domain.money import CurrencyMismatchError, Money
from edtech.billing.domain.payments import AllocationKind, Payment, PaymentMethod, oldest_first
from edtech.billing.domain.provider import PaymentProvider, PaymentsNotSetUpError
from edtech.billing.infrastructure.repositories.accounts import SqlAlchemyPayerAccounts
from edtech.billing.infrastructure.repositories.catalogue import SqlAlchemyFeeCategories
from edtech.billing.infrastructure.repositories.invoices import SqlAlchemyInvoices
from edtech.billing.infrastructure.repositories.ledger import (
    SqlAlchemyDocumentNumbers,
    SqlAlchemyLedger,
)
from edtech.billing.infrastructure.repositories.payments import SqlAlchemyPayments
from edtech.kernel.clock import Clock
from edtech.kernel.errors import FieldProblem, InvalidError, NotFoundError
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Principal, Role
from edtech.platform.db.uow import UnitOfWork

BeforeCommit = Callable[[AsyncSession, Any], Awaitable[None]]
"""Called with the use case's result inside its transaction, just before commit (the
Idempotency-Key response is stored this way, atomically with the change)."""

MANAGERS = frozenset({Role.ACCOUNTANT, Role.INSTITUTION_ADMIN})


def require_manager(principal: Principal) -> None:
    """Accountants and institution admins manage billing; to anyone else it does not exist."""
    if not principal.roles & MANAGERS:
        raise NotFoundError("Not found.")


def not_found(what: str) -> NotFoundError:
    return NotFoundError(f"{what} not found.")


class UseCase:
    """Base: a use case is built per request as `(uow, clock, roster, …)`."""

    def __init__(self, uow: UnitOfWork, clock: Clock, roster: RosterFactory) -> None:
        self.uow = uow
        self.clock = clock
        self.roster_factory = roster

    @property
    def roster(self) -> Roster:
        """The roster bound to this unit of work's session (inside `async with self.uow`)."""
        return self.roster_factory(self.uow.session)

    def now(self) -> datetime:
        return self.clock.now()

    async def today(self, institution_id: uuid.UUID) -> date:
        """Today at the institution, in its time zone (inside `async with self.uow`)."""
        return await self.roster.today(institution_id, self.clock)

    async def post(self, institution_id: uuid.UUID, tx: LedgerTransaction) -> None:
        """Append a balanced transaction to the institution's ledger, dated now."""
        await SqlAlchemyLedger(self.uow.session, institution_id).post(tx, self.now())

    async def next_number(self, institution_id: uuid.UUID, series: str) -> int:
        """The next number of a gapless series (invoice, credit_note, receipt, refund)."""
        return await SqlAlchemyDocumentNumbers(self.uow.session, institution_id).next(series)

    async def family_guardians(
        self, account: PayerAccount | None, student_ids: Iterable[uuid.UUID]
    ) -> tuple[uuid.UUID, ...]:
        """Who hears of a family account's bills: its students' billing guardians (a sponsor's
        documents are not the family's business)."""
        if account is None or account.kind != AccountKind.FAMILY:
            return ()
        ids = [s for s in student_ids if s in set(account.student_ids)]
        if not ids:
            return ()
        found = await self.roster.billing_guardians(account.institution_id, ids)
        return tuple(found)

    async def commit(self, result: Any, before_commit: BeforeCommit | None) -> None:
        if before_commit is not None:
            await before_commit(self.uow.session, result)
        await self.uow.commit()


class CatalogueUseCase(UseCase):
    """A use case that prices things in the institution's one currency."""

    async def institution_currency(self, institution_id: uuid.UUID, given: str | None) -> str:
        """One currency per institution: what it bills in; a different one is refused."""
        currency = await self.roster.currency(institution_id)
        if currency is None:
            raise not_found("Institution")
        if given is not None and given != currency:
            raise CurrencyMismatchError(
                f"This institution bills in {currency}, not {given}.",
                [FieldProblem(("currency",), f"must be {currency}")],
            )
        return currency


@dataclass(frozen=True)
class LineIn:
    description: str
    amount: str
    student_id: uuid.UUID | None = None
    category_id: uuid.UUID | None = None


class InvoiceUseCase(UseCase):
    """A use case that changes invoices: locks them in the one order, issues, adds lines."""

    async def locked_invoice(self, institution_id: uuid.UUID, invoice_id: uuid.UUID) -> Invoice:
        """Lock the invoice's account, then the invoice: every money movement locks in that
        order (account first), so concurrent ones queue instead of deadlocking."""
        invoices = SqlAlchemyInvoices(self.uow.session, institution_id)
        found = await invoices.get(invoice_id)
        if found is None:
            raise not_found("Invoice")
        await SqlAlchemyPayerAccounts(self.uow.session, institution_id).get(
            found.account_id, lock=True
        )
        locked = await invoices.get(invoice_id, lock=True)
        assert locked is not None
        return locked

    async def finalize(self, invoice: Invoice) -> None:
        """Number the invoice, post it to the ledger, then apply any account credit to it."""
        inst = invoice.institution_id
        account = await SqlAlchemyPayerAccounts(self.uow.session, inst).get(invoice.account_id)
        recipients = await self.family_guardians(
            account, account.student_ids if account is not None else []
        )
        invoice.finalize(await self.next_number(inst, "invoice"), self.now(), recipients)
        await self.uow.session.flush()  # credit allocations below refer to the invoice row
        await self.post(
            inst,
            ledger.invoice_issued(
                invoice.account_id,
                invoice.id,
                invoice.currency,
                [ln.amount_minor for ln in invoice.lines],
            ),
        )
        payments = SqlAlchemyPayments(self.uow.session, inst)
        for payment in await payments.with_credit(invoice.account_id):
            due = invoice.amount_due_minor
            if due == 0 or invoice.status != "open":
                break
            take = min(due, payment.unallocated_minor)
            payments.add_allocation(
                payment.allocate(invoice, take, AllocationKind.CREDIT, new_id(), self.now())
            )
            await self.post(
                inst,
                ledger.reduce_receivable(
                    ledger.EntryKind.CREDIT_APPLIED,
                    invoice.account_id,
                    payment.id,
                    invoice.currency,
                    take,
                ),
            )

    async def add_lines(self, account: PayerAccount, invoice: Invoice, lines: list[LineIn]) -> None:
        """Manual lines: for the account's students and known categories, in its currency."""
        categories = await SqlAlchemyFeeCategories(self.uow.session, account.institution_id).by_id()
        problems: list[FieldProblem] = []
        for n, ln in enumerate(lines):
            if ln.student_id is not None and ln.student_id not in account.student_ids:
                problems.append(FieldProblem(("lines", n, "student_id"), "not on this account"))
            if ln.category_id is not None and ln.category_id not in categories:
                problems.append(FieldProblem(("lines", n, "category_id"), "no such category"))
        if problems:
            raise InvalidError("Some lines are not valid.", problems)
        for ln in lines:
            amount = Money.parse(ln.amount, account.currency).minor
            invoice.add_line(
                line_id=new_id(),
                kind=LineKind.MANUAL,
                description=ln.description,
                amount_minor=amount,
                student_id=ln.student_id,
                category_id=ln.category_id,
            )


class PaymentUseCase(UseCase):
    """A use case that takes money in (by hand or from the provider)."""

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


class ProviderUseCase(PaymentUseCase):
    """A payment use case that may talk to the node's payment provider (None: not set up)."""

    def __init__(
        self,
        uow: UnitOfWork,
        clock: Clock,
        roster: RosterFactory,
        provider: PaymentProvider | None,
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
