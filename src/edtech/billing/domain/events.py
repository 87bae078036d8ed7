"""Events the billing slice raises (past tense; `type` is the public contract)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from edtech.kernel.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class InvoiceIssued(DomainEvent):
    """A draft invoice was finalized: it now has a number, is immutable and can be paid."""

    type: ClassVar[str] = "billing.invoice_issued"
    invoice_id: uuid.UUID
    account_id: uuid.UUID
    number: str
    currency: str
    total_minor: int
    amount_due_minor: int
    due_on: date
    student_ids: tuple[uuid.UUID, ...]
    recipients: tuple[uuid.UUID, ...] = ()
    """Guardians told on their `user.{id}` inbox (those allowed to see the bills)."""


@dataclass(frozen=True, kw_only=True)
class InvoicePaid(DomainEvent):
    type: ClassVar[str] = "billing.invoice_paid"
    invoice_id: uuid.UUID
    account_id: uuid.UUID
    number: str


@dataclass(frozen=True, kw_only=True)
class InvoiceVoided(DomainEvent):
    type: ClassVar[str] = "billing.invoice_voided"
    invoice_id: uuid.UUID
    account_id: uuid.UUID
    number: str


@dataclass(frozen=True, kw_only=True)
class InvoiceMarkedUncollectible(DomainEvent):
    type: ClassVar[str] = "billing.invoice_marked_uncollectible"
    invoice_id: uuid.UUID
    account_id: uuid.UUID
    number: str
    written_off_minor: int


@dataclass(frozen=True, kw_only=True)
class InvoiceOverdue(DomainEvent):
    """An open invoice passed its due date unpaid (raised again as each reminder goes out)."""

    type: ClassVar[str] = "billing.invoice_overdue"
    invoice_id: uuid.UUID
    account_id: uuid.UUID
    number: str
    currency: str
    amount_due_minor: int
    due_on: date
    reminder: int
    recipients: tuple[uuid.UUID, ...] = ()
    """Guardians told on their `user.{id}` inbox (those allowed to see the bills)."""


@dataclass(frozen=True, kw_only=True)
class CreditNoteIssued(DomainEvent):
    type: ClassVar[str] = "billing.credit_note_issued"
    credit_note_id: uuid.UUID
    invoice_id: uuid.UUID
    account_id: uuid.UUID
    number: str
    currency: str
    amount_minor: int


@dataclass(frozen=True, kw_only=True)
class PaymentReceived(DomainEvent):
    """Money came in for a payer account and was allocated (the rest is account credit)."""

    type: ClassVar[str] = "billing.payment_received"
    payment_id: uuid.UUID
    account_id: uuid.UUID
    receipt_number: str
    currency: str
    amount_minor: int
    allocated_minor: int
    method: str
    recipients: tuple[uuid.UUID, ...] = ()
    """Guardians told on their `user.{id}` inbox (those allowed to see the bills)."""


@dataclass(frozen=True, kw_only=True)
class PaymentRefunded(DomainEvent):
    type: ClassVar[str] = "billing.payment_refunded"
    refund_id: uuid.UUID
    payment_id: uuid.UUID
    account_id: uuid.UUID
    number: str
    currency: str
    amount_minor: int
