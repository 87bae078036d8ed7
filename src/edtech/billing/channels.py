"""Realtime: the accountants' dashboard `billing.institution.{id}`, and guardians' inboxes.

New invoices, payments and overdue reminders of a family account also go to the `user.{id}`
inbox of each guardian allowed to see the family's bills (`can_view_billing`, no custody bar);
the event carries those guardians, computed when it was raised, and the payload sent leaves
them out.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from pydantic import BaseModel

from edtech.billing.application.common import MANAGERS
from edtech.billing.domain.events import (
    CreditNoteIssued,
    InvoiceIssued,
    InvoiceMarkedUncollectible,
    InvoiceOverdue,
    InvoicePaid,
    InvoiceVoided,
    PaymentReceived,
    PaymentRefunded,
)
from edtech.kernel.events import DomainEvent
from edtech.kernel.principal import Principal
from edtech.realtime.public import AuthorizationContext, ChannelType, Delivery, Registrar, inbox


class InvoiceIssuedData(BaseModel):
    invoice_id: uuid.UUID
    account_id: uuid.UUID
    number: str
    currency: str
    total_minor: int
    amount_due_minor: int
    due_on: date
    student_ids: list[uuid.UUID]


class PaymentReceivedData(BaseModel):
    payment_id: uuid.UUID
    account_id: uuid.UUID
    receipt_number: str
    currency: str
    amount_minor: int
    allocated_minor: int
    method: str


class InvoiceOverdueData(BaseModel):
    invoice_id: uuid.UUID
    account_id: uuid.UUID
    number: str
    currency: str
    amount_due_minor: int
    due_on: date
    reminder: int


class InvoiceClosedData(BaseModel):
    """Paid, voided or written off."""

    invoice_id: uuid.UUID
    account_id: uuid.UUID
    number: str


class CreditNoteIssuedData(BaseModel):
    credit_note_id: uuid.UUID
    invoice_id: uuid.UUID
    account_id: uuid.UUID
    number: str
    currency: str
    amount_minor: int


class PaymentRefundedData(BaseModel):
    refund_id: uuid.UUID
    payment_id: uuid.UUID
    account_id: uuid.UUID
    number: str
    currency: str
    amount_minor: int


async def billing_managers(
    principal: Principal, params: Mapping[str, uuid.UUID], ctx: AuthorizationContext
) -> bool:
    """Accountants and institution admins of that institution watch its billing live."""
    return principal.institution_id == params["id"] and bool(principal.roles & MANAGERS)


DASHBOARD = ChannelType(
    pattern="billing.institution.{id}",
    authorize=billing_managers,
    description=(
        "The accountants' live billing dashboard of an institution: invoices issued, paid, "
        "voided or written off, credit notes, payments, refunds and overdue reminders. Durable."
    ),
    durable=True,
    history_size=500,
    events={
        InvoiceIssued.type: InvoiceIssuedData,
        InvoicePaid.type: InvoiceClosedData,
        InvoiceVoided.type: InvoiceClosedData,
        InvoiceMarkedUncollectible.type: InvoiceClosedData,
        InvoiceOverdue.type: InvoiceOverdueData,
        CreditNoteIssued.type: CreditNoteIssuedData,
        PaymentReceived.type: PaymentReceivedData,
        PaymentRefunded.type: PaymentRefundedData,
    },
)


def _data(event: DomainEvent) -> dict[str, Any]:
    return {k: v for k, v in event.payload().items() if k != "recipients"}


def _dashboard(event: DomainEvent) -> Iterable[Delivery]:
    return [Delivery(DASHBOARD.name(id=event.institution_id), _data(event))]


def _dashboard_and_guardians(
    event: InvoiceIssued | PaymentReceived | InvoiceOverdue,
) -> Iterable[Delivery]:
    data = _data(event)
    inboxes = [Delivery(inbox(person), data) for person in dict.fromkeys(event.recipients)]
    return [Delivery(DASHBOARD.name(id=event.institution_id), data), *inboxes]


def register(registry: Registrar) -> None:
    registry.add(DASHBOARD)
    for told in (InvoiceIssued, PaymentReceived, InvoiceOverdue):
        registry.route(told, _dashboard_and_guardians)
    registry.describe(
        "user.{id}",
        {
            InvoiceIssued.type: InvoiceIssuedData,
            PaymentReceived.type: PaymentReceivedData,
            InvoiceOverdue.type: InvoiceOverdueData,
        },
    )
    for internal in (
        InvoicePaid,
        InvoiceVoided,
        InvoiceMarkedUncollectible,
        CreditNoteIssued,
        PaymentRefunded,
    ):
        registry.route(internal, _dashboard)
