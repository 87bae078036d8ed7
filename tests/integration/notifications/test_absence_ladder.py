"""Acceptance: a guardian with no open socket. A student marked absent at close → push
attempted (loopback FCM, recorded answers) → the email arrives at the loopback SMTP server once
the configured delay passed → reading stops the ladder. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from edtech.kernel.clock import FixedClock
from tests.integration.attendance.helpers import School
from tests.integration.notifications.fixtures import EMAIL_DELAY_SECONDS
from tests.integration.notifications.helpers import (
    RecordedFcm,
    close_s01,
    drain,
    notifications,
    with_device,
)
from tests.roster import login
from tests.smtp import SmtpServer, addresses

GUARDIAN = "guardian1@demo.test"
DEVICE = "fcm-device-token-of-guardian1-0001"


def attempts(item: dict[str, Any]) -> dict[str, str]:
    return {a["channel"]: a["state"] for a in item["attempts"]}


async def test_absent_at_close_pushes_then_emails_after_the_delay_when_unread(
    app: FastAPI,
    client: httpx.AsyncClient,
    school: School,
    clock: FixedClock,
    smtp_server: SmtpServer,
    fcm: tuple[RecordedFcm, Path],
) -> None:
    recorded, _ = fcm
    guardian = await with_device(client, GUARDIAN, DEVICE)

    await close_s01(client, school)
    [notice] = await notifications(client, guardian)
    assert notice["category"] == "absence"
    assert attempts(notice) == {"push": "pending", "email": "pending"}

    await drain(app)  # push is due at once (delay 0); the email is not due yet
    [pushed] = recorded.to(DEVICE)
    assert "absent" in pushed["notification"]["title"]
    assert pushed["data"]["link"].endswith(f"/app/notifications/{notice['id']}")
    assert not [m for m in smtp_server.inbox if GUARDIAN in addresses(m)]
    [notice] = await notifications(client, guardian)
    assert attempts(notice) == {"push": "sent", "email": "pending"}

    clock.advance(timedelta(seconds=EMAIL_DELAY_SECONDS + 1))
    await drain(app)
    [mail] = await smtp_server.wait_for(GUARDIAN)
    assert "absent" in str(mail["Subject"])
    # Plain text and an HTML alternative, with the same link.
    plain, rich = mail.get_body(("plain",)), mail.get_body(("html",))
    assert plain is not None
    assert rich is not None
    link = f"/app/notifications/{notice['id']}"
    assert link in plain.get_content()
    assert f'{link}"' in rich.get_content()
    assert "absent" in rich.get_content()
    [notice] = await notifications(client, guardian)
    assert attempts(notice) == {"push": "sent", "email": "sent"}

    # Nothing is sent twice: the rungs ran once and their jobs are done.
    clock.advance(timedelta(hours=1))
    await drain(app)
    assert len(recorded.to(DEVICE)) == 1
    assert len([m for m in smtp_server.inbox if GUARDIAN in addresses(m)]) == 1


async def test_opening_the_app_marks_read_and_stops_the_ladder(
    app: FastAPI,
    client: httpx.AsyncClient,
    school: School,
    clock: FixedClock,
    smtp_server: SmtpServer,
    fcm: tuple[RecordedFcm, Path],
) -> None:
    recorded, _ = fcm
    guardian = await with_device(client, GUARDIAN, DEVICE)
    await close_s01(client, school)
    await drain(app)
    assert len(recorded.to(DEVICE)) == 1

    opened = await client.post("/api/v1/me/notifications/read", headers=guardian)
    assert opened.status_code == 200
    assert opened.json()["read"] == 1

    clock.advance(timedelta(seconds=EMAIL_DELAY_SECONDS + 1))
    await drain(app)
    [notice] = await notifications(client, guardian)
    assert notice["read_at"] is not None
    assert attempts(notice) == {"push": "sent", "email": "skipped"}
    assert [a["reason"] for a in notice["attempts"] if a["channel"] == "email"] == ["read"]
    assert not [m for m in smtp_server.inbox if GUARDIAN in addresses(m)]
    # Other guardians of absent students, who never opened the app, got their email.
    assert [m for m in smtp_server.inbox if GUARDIAN not in addresses(m)]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # dialect-neutral
async def test_an_unregistered_device_is_disabled_and_the_email_still_follows(
    app: FastAPI,
    client: httpx.AsyncClient,
    school: School,
    clock: FixedClock,
    smtp_server: SmtpServer,
) -> None:
    guardian = await login(client, GUARDIAN)
    await client.post(
        "/api/v1/me/push-devices",
        json={"platform": "fcm", "token": "gone-device-token-000000"},
        headers=guardian,
    )
    await close_s01(client, school)
    await drain(app)
    [notice] = await notifications(client, guardian)
    [push] = [a for a in notice["attempts"] if a["channel"] == "push"]
    assert (push["state"], push["reason"]) == ("failed", "unregistered")
    clock.advance(timedelta(seconds=EMAIL_DELAY_SECONDS + 1))
    await drain(app)
    await smtp_server.wait_for(GUARDIAN)
