"""Email sent once per notification, as far as the recipient can tell: every email a rung
sends carries a Message-ID derived from the attempt's idempotency key (notification and
channel), so the resend a node makes after its predecessor died inside the SMTP call — the
attempt left `sending` — is the same message to the recipient's mailbox, which keeps one copy
per Message-ID. Real SMTP on loopback (aiosmtpd), on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

import httpx
import sqlalchemy as sa
from fastapi import FastAPI

from edtech.kernel.clock import FixedClock
from edtech.notifications.infrastructure import notification_attempt
from edtech.notifications.jobs import run_rung
from tests.integration.attendance.helpers import School
from tests.integration.notifications.helpers import absent_past_the_email_delay, notifications
from tests.roster import login
from tests.smtp import SmtpServer, addresses

GUARDIAN = "guardian1@demo.test"


async def test_a_resend_after_a_crash_in_the_smtp_call_carries_the_same_message_id(
    app: FastAPI,
    client: httpx.AsyncClient,
    school: School,
    clock: FixedClock,
    smtp_server: SmtpServer,
) -> None:
    guardian = await login(client, GUARDIAN)
    await absent_past_the_email_delay(app, client, school, clock)
    [first] = await smtp_server.wait_for(GUARDIAN)
    [notice] = await notifications(client, guardian)
    assert first["Message-ID"] == f"<{notice['id']}.email@localhost>"

    # A node that died after the server took the message, before it marked the attempt
    # `sent`, leaves it `sending`; the job's lease runs out and another node runs the rung.
    services = app.state.services
    async with services.session_factory() as session, session.begin():
        await session.execute(
            sa.update(notification_attempt)
            .where(
                notification_attempt.c.notification_id == uuid.UUID(notice["id"]),
                notification_attempt.c.channel == "email",
            )
            .values(state="sending", finished_at=None)
        )
    args = {"notification_id": notice["id"], "channel": "email", "unless": "read"}
    await run_rung(services, args)
    first_copy, second_copy = await smtp_server.wait_for(GUARDIAN, count=2)
    assert second_copy["Message-ID"] == first_copy["Message-ID"]
    assert str(second_copy["Subject"]) == str(first_copy["Subject"])
    [notice] = await notifications(client, guardian)
    [email] = [a for a in notice["attempts"] if a["channel"] == "email"]
    assert (email["state"], email["tries"]) == ("sent", 2)

    # Run once more (a retry of the same job): `sent` is final, nothing goes out.
    await run_rung(services, args)
    assert len([m for m in smtp_server.inbox if GUARDIAN in addresses(m)]) == 2


async def test_each_notification_has_its_own_message_id(
    app: FastAPI,
    client: httpx.AsyncClient,
    school: School,
    clock: FixedClock,
    smtp_server: SmtpServer,
) -> None:
    await absent_past_the_email_delay(app, client, school, clock)
    ids = [str(m["Message-ID"]) for m in smtp_server.inbox]
    assert len(ids) >= 2
    assert len(set(ids)) == len(ids)
    assert all(i.endswith(".email@localhost>") for i in ids)
