"""The daily digest: a category a person asked to get once a day is held — in the app at once,
no push, email or SMS — until their digest hour at the school, when one email carries the
day's held notifications; never twice for a day, across sweeps, retries and nodes. Mandatory
categories and urgent announcements are never held. On SQLite and PostgreSQL, the email at the
loopback SMTP server."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from fastapi import FastAPI

from edtech.kernel.clock import FixedClock
from edtech.notifications.infrastructure import notification_digest
from edtech.notifications.jobs import queue_digests, run_digest
from edtech.platform.jobs import JobRunner
from tests.integration.attendance.helpers import School, school_time
from tests.integration.notifications.events import emit, grades_published, overdue
from tests.integration.notifications.helpers import RecordedFcm, drain, notifications, with_device
from tests.roster import login
from tests.smtp import SmtpServer, addresses, text_of

GUARDIAN = "guardian1@demo.test"
DEVICE = "fcm-device-token-of-guardian1-0003"
HOUR = 17


def attempts(item: dict[str, Any]) -> dict[str, str]:
    return {a["channel"]: a["state"] for a in item["attempts"]}


def grade(school: School, publication: int) -> Any:
    event = grades_published(school, (school.demo.guardian1_id,))
    return type(event)(
        **{**event.__dict__, "publication_id": uuid.UUID(int=publication)},
    )


def held_pushes(recorded: RecordedFcm) -> list[Any]:
    """Pushes of the held categories (today's absence alerts are pushed as always)."""
    held = ("grade_published", "billing")
    return [m for m in recorded.to(DEVICE) if m["data"].get("category") in held]


def digests_to(smtp_server: SmtpServer, who: str) -> list[Any]:
    """The digest emails `who` got (the node's other schedules — closing today's sessions —
    send them absence alerts too)."""
    return [m for m in smtp_server.inbox if who in addresses(m) and "summary" in str(m["Subject"])]


async def digest_mail(smtp_server: SmtpServer, who: str, count: int = 1) -> list[Any]:
    await smtp_server.wait_for(who, count)
    for _ in range(200):
        if len(found := digests_to(smtp_server, who)) >= count:
            return found
        await asyncio.sleep(0.02)
    raise AssertionError(f"{count} digest(s) to {who} expected")


async def digest_at(app: FastAPI, clock: FixedClock, hour: int, minute: int) -> None:
    """Move the clock to `hour:minute` school time today and let the node's schedules and jobs
    run (the digest sweep every five minutes, then the digests it queued)."""
    clock.advance(school_time(hour, minute) - clock.now())
    await app.state.services.components.get(JobRunner).ensure_schedules()
    clock.advance(timedelta(minutes=5))
    await drain(app)


async def test_held_notifications_go_in_one_digest_email_per_day_never_twice(
    app: FastAPI,
    client: httpx.AsyncClient,
    school: School,
    clock: FixedClock,
    smtp_server: SmtpServer,
    fcm: tuple[RecordedFcm, Path],
) -> None:
    recorded, _ = fcm
    guardian = await with_device(client, GUARDIAN, DEVICE)
    chosen = await client.put(
        "/api/v1/me/notification-preferences",
        json={"digest": {"grade_published": True, "billing": True}, "digest_hour": HOUR},
        headers=guardian,
    )
    assert chosen.status_code == 200, chosen.text
    prefs = chosen.json()
    assert prefs["digest_hour"] == HOUR
    assert {c for c, on in prefs["digest"].items() if on} == {"grade_published", "billing"}

    # 08:20 at school: three notifications, in the app at once, held from every channel.
    await emit(app, grade(school, 2), grade(school, 3), overdue(school))
    held = await notifications(client, guardian)
    assert len(held) == 3
    assert all(attempts(n) == {"email": "pending"} for n in held)
    await drain(app)
    assert held_pushes(recorded) == []
    assert digests_to(smtp_server, GUARDIAN) == []

    # Not before the digest hour…
    await digest_at(app, clock, HOUR - 1, 50)
    assert digests_to(smtp_server, GUARDIAN) == []
    # …then one email with the three.
    await digest_at(app, clock, HOUR, 0)
    [mail] = await digest_mail(smtp_server, GUARDIAN)
    assert "daily summary" in str(mail["Subject"])
    text = text_of(mail)
    assert "3 notifications since your last summary" in text
    page = str(mail.get_body(("html",)).get_content())
    for item in held:
        assert item["title"] in text
        # Each item links to itself, as its own email would have (text and HTML alike).
        deep_link = f"{app.state.services.settings.public_url}/app/notifications/{item['id']}"
        assert deep_link in text
        assert f'href="{deep_link}"' in page
    ids = {n["id"] for n in held}
    after = [n for n in await notifications(client, guardian) if n["id"] in ids]
    assert [attempts(n) for n in after] == [{"email": "sent"}] * 3
    assert held_pushes(recorded) == []

    # Never twice: another sweep, the job run again (a retry, another node), the next days.
    services = app.state.services
    assert await queue_digests(services) == 0
    async with services.session_factory() as session:
        [marker] = (await session.execute(sa.select(notification_digest))).all()
    assert (marker.state, marker.items) == ("sent", 3)
    args = {
        "institution_id": str(marker.institution_id),
        "person_id": str(marker.person_id),
        "day": marker.day.isoformat(),
    }
    await run_digest(services, args)
    clock.advance(timedelta(days=2))
    await drain(app)
    assert len(digests_to(smtp_server, GUARDIAN)) == 1


async def test_a_notification_too_late_for_its_digest_waits_for_the_next_days(
    app: FastAPI,
    client: httpx.AsyncClient,
    school: School,
    clock: FixedClock,
    smtp_server: SmtpServer,
) -> None:
    guardian = await login(client, GUARDIAN)
    await client.put(
        "/api/v1/me/notification-preferences",
        json={"digest": {"grade_published": True}, "digest_hour": HOUR},
        headers=guardian,
    )
    await emit(app, grade(school, 2))
    await digest_at(app, clock, HOUR, 0)
    await digest_mail(smtp_server, GUARDIAN)
    # Made at 16:59 (before the hour) but committed after that day's digest went out.
    clock.advance(school_time(HOUR - 1, 59) - clock.now())
    await emit(app, grade(school, 3))
    clock.advance(timedelta(minutes=10))
    await drain(app)
    assert len(digests_to(smtp_server, GUARDIAN)) == 1
    # It is in the next day's digest, alone (the sweep moves it, the next sweep queues it).
    clock.advance(timedelta(days=1))
    await drain(app)
    clock.advance(timedelta(minutes=5))
    await drain(app)
    _, second = await digest_mail(smtp_server, GUARDIAN, count=2)
    assert "1 notifications since your last summary" in text_of(second)


async def test_mandatory_categories_and_urgent_announcements_are_never_held(
    app: FastAPI, client: httpx.AsyncClient, school: School
) -> None:
    guardian = await login(client, GUARDIAN)
    prefs = "/api/v1/me/notification-preferences"
    for body in (
        {"digest": {"urgent_announcement": True}},
        {"digest": {"absence": True}},  # mandatory by default
        {"digest_hour": 24},
        {"digest": {"nonsense": True}},
    ):
        refused = await client.put(prefs, json=body, headers=guardian)
        assert refused.status_code == 422, (body, refused.text)
        assert refused.headers["content-type"].startswith("application/problem+json")
    problem = (await client.put(prefs, json={"digest": {"absence": True}}, headers=guardian)).json()
    assert "absence" in str(problem)

    chosen = await client.put(prefs, json={"digest": {"billing": True}}, headers=guardian)
    assert chosen.status_code == 200, chosen.text
    await emit(app, overdue(school, reminder=1))
    [held] = await notifications(client, guardian)
    assert attempts(held) == {"email": "pending"}

    # The institution makes billing mandatory: the choice is inert, billing goes at once.
    admin = await login(client, "admin@demo.test")
    policy = await client.put(
        "/api/v1/notification-policy",
        json={"mandatory": ["absence", "urgent_announcement", "billing"]},
        headers=admin,
    )
    assert policy.status_code == 200, policy.text
    assert (await client.get(prefs, headers=guardian)).json()["digest"]["billing"] is False
    await emit(app, overdue(school, reminder=2))
    [newest] = [n for n in await notifications(client, guardian) if "Reminder 2" in n["body"]]
    assert attempts(newest) == {"push": "pending", "email": "pending"}
    # A later change drops the inert choice rather than refusing it.
    again = await client.put(prefs, json={"digest": {"grade_published": True}}, headers=guardian)
    assert again.status_code == 200, again.text
