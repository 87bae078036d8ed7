"""Notifications for the other slices' events — published grades, chat messages, invoices and
payments — staged by the sink in the publishing unit of work (the node's own, with its sinks),
written in the reader's language, within their preferences, quiet hours and the institution's
mandatory categories."""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta

import httpx
import sqlalchemy as sa
from fastapi import FastAPI

from edtech.billing.domain.events import InvoiceIssued, PaymentReceived
from edtech.communication.domain.events import MessageDelivered, MessagePosted
from edtech.institutions.infrastructure.tables import institution
from edtech.kernel.clock import FixedClock
from tests.integration.attendance.helpers import School
from tests.integration.notifications.events import DUE, emit, grades_published, overdue
from tests.integration.notifications.helpers import drain, notifications
from tests.roster import login

GUARDIAN = "guardian1@demo.test"


def channels(item: dict[str, object]) -> dict[str, str]:
    return {a["channel"]: a["state"] for a in item["attempts"]}  # type: ignore[attr-defined]


async def test_a_published_grade_tells_the_guardians_in_their_language_not_the_student(
    app: FastAPI, client: httpx.AsyncClient, school: School
) -> None:
    guardian = await login(client, GUARDIAN)
    chosen = await client.put(
        "/api/v1/me/notification-preferences", json={"language": "es"}, headers=guardian
    )
    assert chosen.status_code == 200, chosen.text
    assert (chosen.json()["language"], chosen.json()["effective_language"]) == ("es", "es")

    await emit(app, grades_published(school, (school.demo.guardian1_id,)))
    [notice] = await notifications(client, guardian)
    assert notice["category"] == "grade_published"
    assert notice["title"].endswith(": nueva nota en Essay 1")
    assert "Se publicó una nota" in notice["body"]
    assert channels(notice) == {"push": "pending"}  # email for grades is opt-in
    student = await login(client, "student1@demo.test")
    assert await notifications(client, student) == []


async def test_the_schools_locale_writes_for_whoever_did_not_choose(
    app: FastAPI, client: httpx.AsyncClient, school: School
) -> None:
    async with app.state.services.session_factory() as session, session.begin():
        await session.execute(
            sa.update(institution)
            .where(institution.c.id == school.demo.institution_id)
            .values(locale="es-MX")
        )
    guardian = await login(client, GUARDIAN)
    prefs = (await client.get("/api/v1/me/notification-preferences", headers=guardian)).json()
    assert (prefs["language"], prefs["effective_language"]) == (None, "es")

    await emit(app, overdue(school))
    [notice] = await notifications(client, guardian)
    assert notice["title"] == "La factura INV-0042 está vencida"
    assert "(1.234,50 USD pendiente) venció el viernes 4 de diciembre" in notice["body"]
    assert channels(notice) == {"push": "pending", "email": "pending"}


async def test_an_event_raised_again_notifies_nobody_twice_and_commits(
    app: FastAPI, client: httpx.AsyncClient, school: School
) -> None:
    guardian = await login(client, GUARDIAN)
    await emit(app, overdue(school))
    await emit(app, overdue(school))  # the same reminder again (a retried job)
    await emit(app, overdue(school, reminder=2))
    found = await notifications(client, guardian)
    assert [n["title"] for n in found] == ["Invoice INV-0042 is overdue"] * 2
    bodies = sorted(n["body"] for n in found)
    assert "(USD 1,234.50 still due) was due on Friday 4 December. Reminder 1." in bodies[0]
    assert "Reminder 2." in bodies[1]


async def test_a_receipt_waits_for_the_end_of_quiet_hours(
    app: FastAPI, client: httpx.AsyncClient, school: School, clock: FixedClock
) -> None:
    guardian = await login(client, GUARDIAN)
    r = await client.put(
        "/api/v1/me/notification-preferences",
        json={"quiet_hours": {"starts_at": "08:00:00", "ends_at": "09:00:00"}},
        headers=guardian,
    )
    assert r.status_code == 200, r.text
    zone = r.json()["timezone"]
    payment = PaymentReceived(
        institution_id=school.demo.institution_id,
        occurred_at=clock.now(),
        payment_id=uuid.UUID(int=20),
        account_id=uuid.UUID(int=11),
        receipt_number="R-7",
        currency="USD",
        amount_minor=5000,
        allocated_minor=5000,
        method="card",
        recipients=(school.demo.guardian1_id,),
    )
    await emit(app, payment)
    [notice] = await notifications(client, guardian)
    assert notice["title"] == "Payment received: USD 50.00"
    from zoneinfo import ZoneInfo

    local = clock.now().astimezone(ZoneInfo(zone))
    ends = datetime.combine(local.date(), time(9, 0), ZoneInfo(zone))
    for attempt in notice["attempts"]:
        assert datetime.fromisoformat(attempt["due_at"]) == ends


async def test_an_institution_makes_billing_mandatory(
    app: FastAPI, client: httpx.AsyncClient, school: School
) -> None:
    guardian = await login(client, GUARDIAN)
    off = {"categories": {"billing": {"email": False, "push": False}}}
    r = await client.put("/api/v1/me/notification-preferences", json=off, headers=guardian)
    assert r.status_code == 200, r.text
    assert r.json()["categories"]["billing"]["email"] is False

    # Not theirs to choose: refused before the (malformed) body is even read.
    refused = await client.put("/api/v1/notification-policy", json={"x": 1}, headers=guardian)
    assert refused.status_code == 403, refused.text
    admin = await login(client, "admin@demo.test")
    chosen = ["absence", "billing", "urgent_announcement"]
    r = await client.put("/api/v1/notification-policy", json={"mandatory": chosen}, headers=admin)
    assert r.status_code == 200, r.text
    assert (await client.get("/api/v1/notification-policy", headers=guardian)).json() == {
        "mandatory": chosen
    }

    prefs = (await client.get("/api/v1/me/notification-preferences", headers=guardian)).json()
    assert prefs["mandatory"] == chosen
    assert prefs["categories"]["billing"] == {"push": True, "email": True, "sms": False}
    again = await client.put("/api/v1/me/notification-preferences", json=off, headers=guardian)
    assert again.status_code == 422, again.text
    assert "billing notifications are mandatory" in again.text

    issued = InvoiceIssued(
        institution_id=school.demo.institution_id,
        occurred_at=school.clock.now(),
        invoice_id=uuid.UUID(int=30),
        account_id=uuid.UUID(int=11),
        number="INV-0043",
        currency="USD",
        total_minor=1000,
        amount_due_minor=1000,
        due_on=DUE,
        student_ids=(school.demo.student1_id,),
        recipients=(school.demo.guardian1_id,),
    )
    await emit(app, issued)
    [notice] = await notifications(client, guardian)
    assert channels(notice) == {"push": "pending", "email": "pending"}

    # Absence alerts no longer mandatory: switching their email off is accepted now.
    r = await client.put(
        "/api/v1/notification-policy", json={"mandatory": ["billing"]}, headers=admin
    )
    assert r.status_code == 200
    r = await client.put(
        "/api/v1/me/notification-preferences",
        json={"categories": {"absence": {"email": False}}},
        headers=guardian,
    )
    assert r.status_code == 200, r.text


async def test_a_message_tells_the_other_participants_and_its_delivery_marks_it_seen(
    app: FastAPI, client: httpx.AsyncClient, school: School, clock: FixedClock
) -> None:
    teacher, guardian_id = school.demo.teacher1_id, school.demo.guardian1_id
    conversation, message = uuid.UUID(int=40), uuid.UUID(int=41)
    posted = MessagePosted(
        institution_id=school.demo.institution_id,
        occurred_at=clock.now(),
        conversation_id=conversation,
        message_id=message,
        seq=1,
        sender_id=teacher,
        client_id="c-1",
        kind="text",
        body="Hello!\nSam did  very well today.",
        created_at=clock.now(),
        notify_ids=(guardian_id, teacher),
    )
    await emit(app, posted)
    guardian = await login(client, GUARDIAN)
    [notice] = await notifications(client, guardian)
    assert notice["category"] == "message"
    assert notice["title"].startswith("New message from ")
    assert notice["body"].endswith(": Hello! Sam did very well today.")
    assert notice["seen_at"] is None
    assert await notifications(client, await login(client, "teacher1@demo.test")) == []

    delivered = MessageDelivered(
        institution_id=school.demo.institution_id,
        occurred_at=clock.now(),
        conversation_id=conversation,
        message_id=message,
        seq=1,
        person_id=guardian_id,
        delivered_at=clock.now(),
    )
    await emit(app, delivered)
    clock.advance(timedelta(minutes=5))
    await drain(app)
    [notice] = await notifications(client, guardian)
    assert notice["seen_at"] is not None
    [push] = notice["attempts"]
    assert (push["channel"], push["state"], push["reason"]) == ("push", "skipped", "seen")


async def test_reading_the_conversation_reads_its_message_notifications_and_stops_the_ladder(
    app: FastAPI, client: httpx.AsyncClient, school: School, clock: FixedClock
) -> None:
    from edtech.communication.domain.events import ConversationRead

    teacher, guardian_id = school.demo.teacher1_id, school.demo.guardian1_id
    conversation, elsewhere = uuid.UUID(int=50), uuid.UUID(int=60)

    def posted(conv: uuid.UUID, message: int, seq: int) -> MessagePosted:
        return MessagePosted(
            institution_id=school.demo.institution_id,
            occurred_at=clock.now(),
            conversation_id=conv,
            message_id=uuid.UUID(int=message),
            seq=seq,
            sender_id=teacher,
            client_id=f"c-{message}",
            kind="text",
            body=f"Message {message}",
            created_at=clock.now(),
            notify_ids=(guardian_id,),
        )

    await emit(app, posted(conversation, 51, 1), posted(elsewhere, 61, 1))
    clock.advance(timedelta(seconds=1))
    await emit(
        app,
        ConversationRead(
            institution_id=school.demo.institution_id,
            occurred_at=clock.now(),
            conversation_id=conversation,
            person_id=guardian_id,
            read_seq=1,
        ),
    )
    clock.advance(timedelta(seconds=1))
    await emit(app, posted(conversation, 52, 2))  # after the read: still unread

    guardian = await login(client, GUARDIAN)
    read = {
        n["body"].rsplit(": ", 1)[-1]: n["read_at"] is not None
        for n in await notifications(client, guardian)
    }
    assert read == {"Message 51": True, "Message 61": False, "Message 52": False}

    clock.advance(timedelta(hours=2))
    await drain(app)
    reasons = {
        n["body"].rsplit(": ", 1)[-1]: {a["channel"]: a["reason"] for a in n["attempts"]}
        for n in await notifications(client, guardian)
    }
    assert reasons["Message 51"] == {"push": "read"}  # the ladder stopped: it was read
    assert reasons["Message 61"] == reasons["Message 52"] == {"push": "no device"}
