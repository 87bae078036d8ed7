"""Which of the other slices' events notify whom, about what, with which words.

The emitting slice already chose who is told on their `user.{id}` inbox (its `recipients`,
after the custody rules and the guardians' flags: a guardian with a custody restriction on a
child, or without the right to see grades or bills, is not among them); the notifications
reach the same people when their app is closed. The sink reads events by their public `type`
and fields, never another slice's classes.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from edtech.institutions.public import InstitutionSettings, institution_and_names
from edtech.kernel.events import DomainEvent
from edtech.notifications.domain import Category
from edtech.notifications.domain.templates import Amount

ABSENCE = "attendance.absence_reported"
ANNOUNCEMENT = "announcement.published"
GRADES = "grades.published"
MESSAGE = "chat.message_posted"
RELEASED = "chat.notifications_released"
DELIVERED = "chat.delivered"
INVOICE_ISSUED = "billing.invoice_issued"
INVOICE_OVERDUE = "billing.invoice_overdue"
PAYMENT_RECEIVED = "billing.payment_received"

SNIPPET = 140


@dataclass(frozen=True)
class Trigger:
    """One event, seen as notifications: who, what about, and the words — a template `kind`
    and its `values` (rendered per recipient's language), or the sender's own `title` and
    `body` (an announcement)."""

    institution_id: uuid.UUID
    event_type: str
    source_key: str
    category: Category
    recipients: tuple[uuid.UUID, ...]
    kind: str | None = None
    values: Mapping[str, object] = field(default_factory=dict)
    title: str = ""
    body: str = ""
    subject_id: uuid.UUID | None = None
    sender_id: uuid.UUID | None = None
    """Set for a batch the sender watches (an announcement)."""
    batch_id: uuid.UUID | None = None


def source_key(event_type: str, data: Mapping[str, Any]) -> str:
    """What a notification is about, from the event's public fields: the same key from the
    event itself (planning) and from its delivery on a socket (seen)."""
    if event_type == ABSENCE:
        return f"{data['session_id']}:{data['student_id']}"
    if event_type == GRADES:
        return f"{data['publication_id']}:{data['student_id']}"
    if event_type in (MESSAGE, DELIVERED):
        return str(data["message_id"])
    if event_type == RELEASED:
        return f"released:{next(iter(data['message_ids']), data['person_id'])}"
    if event_type in (INVOICE_ISSUED, INVOICE_OVERDUE):
        reminder = f":{data['reminder']}" if event_type == INVOICE_OVERDUE else ""
        return f"{data['invoice_id']}{reminder}"
    if event_type == PAYMENT_RECEIVED:
        return str(data["payment_id"])
    return str(data["announcement_id"])


NAMED = {ABSENCE: "student_id", GRADES: "student_id", MESSAGE: "sender_id"}
"""The person whose name a trigger's words carry, by event type (the child, the sender)."""


@dataclass(frozen=True)
class Triggered:
    """A transaction's triggers, and the settings of each institution they concern (read
    with the names the words carry; the planner needs their zone, locale and name)."""

    triggers: list[Trigger]
    schools: dict[uuid.UUID, InstitutionSettings | None]


async def triggers(session: AsyncSession, events: Sequence[DomainEvent]) -> Triggered:
    """The events that notify someone: absences and tardies at close, published grades (to
    the guardians, not the student, whose own inbox has them), published announcements, chat
    messages (to the participants told on their inbox, or when their quiet hours released
    them), and invoices issued, overdue and payments received (to the guardians who see the
    bills). The names their words carry are read with the institution's settings, in one
    statement per institution, however many events (a class's publication is one event per
    student)."""
    named: dict[uuid.UUID, set[uuid.UUID]] = {}
    for event in events:
        if event.type not in BUILDERS:
            continue
        people = named.setdefault(event.institution_id, set())
        if (attribute := NAMED.get(event.type)) is not None:
            people.add(getattr(event, attribute))
    names: dict[uuid.UUID, str] = {}
    schools: dict[uuid.UUID, InstitutionSettings | None] = {}
    for institution_id, people in named.items():
        schools[institution_id], found_names = await institution_and_names(
            session, institution_id, people
        )
        names.update(found_names)
    found: list[Trigger] = []
    for event in events:
        build = BUILDERS.get(event.type)
        if build is not None:
            found.append(build(event, names))
    return Triggered([t for t in found if t.recipients], schools)


def _base(event: DomainEvent, category: Category, recipients: Sequence[uuid.UUID]) -> Any:
    data = {f.name: getattr(event, f.name) for f in fields(event)}
    return {
        "institution_id": event.institution_id,
        "event_type": event.type,
        "source_key": source_key(event.type, data),
        "category": category,
        "recipients": tuple(dict.fromkeys(recipients)),
    }


def _absence(event: DomainEvent, names: Mapping[uuid.UUID, str]) -> Trigger:
    data: Any = event
    child = names.get(data.student_id) or "Your child"
    late = data.category == "tardy"
    return Trigger(
        **_base(event, Category.ABSENCE, [r for r in data.recipients if r != data.student_id]),
        kind="tardy" if late else "absence",
        values={"child": child, "day": data.day, "minutes": data.minutes_late or 0},
        subject_id=data.student_id,
    )


def _announcement(event: DomainEvent, names: Mapping[uuid.UUID, str]) -> Trigger:
    data: Any = event
    urgent = data.priority == "urgent"
    category = Category.URGENT_ANNOUNCEMENT if urgent else Category.ANNOUNCEMENT
    return Trigger(
        **_base(event, category, data.recipient_ids),
        title=str(data.title)[:200],
        body=str(data.body)[:2000],
        subject_id=data.announcement_id,
        sender_id=data.sender_id,
        batch_id=data.announcement_id,
    )


def _grades(event: DomainEvent, names: Mapping[uuid.UUID, str]) -> Trigger:
    data: Any = event
    child = names.get(data.student_id) or "Your child"
    guardians = [r for r in data.recipients if r != data.student_id]
    return Trigger(
        **_base(event, Category.GRADE_PUBLISHED, guardians),
        kind="grade_published",
        values={"child": child, "assessment": data.assessment_title},
        subject_id=data.student_id,
    )


def _message(event: DomainEvent, names: Mapping[uuid.UUID, str]) -> Trigger:
    data: Any = event
    sender = names.get(data.sender_id, "")
    body = " ".join(str(data.body).split())
    snippet = body if len(body) <= SNIPPET else body[: SNIPPET - 1] + "…"
    return Trigger(
        **_base(event, Category.MESSAGE, [p for p in data.notify_ids if p != data.sender_id]),
        kind="message",
        values={"sender": sender, "snippet": snippet},
        subject_id=data.conversation_id,
    )


def _released(event: DomainEvent, names: Mapping[uuid.UUID, str]) -> Trigger:
    data: Any = event
    return Trigger(
        **_base(event, Category.MESSAGE, [data.person_id]),
        kind="messages_released",
        values={"count": len(data.message_ids)},
    )


def _invoice(event: DomainEvent, names: Mapping[uuid.UUID, str]) -> Trigger:
    data: Any = event
    overdue = event.type == INVOICE_OVERDUE
    due = data.amount_due_minor
    return Trigger(
        **_base(event, Category.BILLING, data.recipients),
        kind="invoice_overdue" if overdue else "invoice_issued",
        values={
            "number": data.number,
            "amount": Amount(due, data.currency),
            "due": data.due_on,
            "reminder": getattr(data, "reminder", 0),
        },
        subject_id=data.invoice_id,
    )


def _payment(event: DomainEvent, names: Mapping[uuid.UUID, str]) -> Trigger:
    data: Any = event
    return Trigger(
        **_base(event, Category.BILLING, data.recipients),
        kind="payment_received",
        values={"amount": Amount(data.amount_minor, data.currency), "receipt": data.receipt_number},
        subject_id=data.payment_id,
    )


Builder = Callable[[DomainEvent, Mapping[uuid.UUID, str]], Trigger]
BUILDERS: dict[str, Builder] = {
    ABSENCE: _absence,
    ANNOUNCEMENT: _announcement,
    GRADES: _grades,
    MESSAGE: _message,
    RELEASED: _released,
    INVOICE_ISSUED: _invoice,
    INVOICE_OVERDUE: _invoice,
    PAYMENT_RECEIVED: _payment,
}
TRIGGERING = frozenset(BUILDERS)
"""Event types that can notify someone (what `triggers` reads)."""
OBSERVED = (ABSENCE, ANNOUNCEMENT, GRADES, RELEASED, INVOICE_ISSUED, INVOICE_OVERDUE,
            PAYMENT_RECEIVED)  # fmt: skip
"""Event types whose delivery to a person's socket marks their notification seen (a chat
message is seen through `chat.delivered`, communication's own delivery receipt)."""
