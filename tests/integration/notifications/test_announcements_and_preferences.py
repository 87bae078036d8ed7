"""Acceptance: an urgent announcement to a section's guardians reaches each once per channel
while the sender watches the counts live, ending at 100 %; preferences and quiet hours are
respected; mandatory categories cannot be switched off. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from tests.integration.attendance.helpers import School, Socket, school_time
from tests.integration.notifications.announcing import (
    S01_GUARDIANS,
    announce,
    register_devices,
    settled,
    token,
)
from tests.integration.notifications.helpers import RecordedFcm, drain, notifications
from tests.roster import login
from tests.servers import LiveServer
from tests.smtp import SmtpServer, addresses


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # dialect-neutral
async def test_mandatory_categories_cannot_be_switched_off_and_input_is_validated(
    client: httpx.AsyncClient, school: School
) -> None:
    guardian = await login(client, "guardian1@demo.test")
    url = "/api/v1/me/notification-preferences"
    got = (await client.get(url, headers=guardian)).json()
    assert got["mandatory"] == ["absence", "urgent_announcement"]
    assert got["categories"]["absence"] == {"push": True, "email": True, "sms": False}
    assert got["timezone"] == "America/New_York"

    refused = await client.put(
        url, json={"categories": {"absence": {"email": False}}}, headers=guardian
    )
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "mandatory" in refused.text
    for bad in (
        {"categories": {"homework": {"push": False}}},
        {"categories": {"absence": {"fax": True}}},
        {"sms_number": "555-1234"},
        {"categories": {"absence": {"sms": True}}},
        {"quiet_hours": {"starts_at": "21:00", "ends_at": "21:00"}},
        {"surprise": 1},
    ):
        answer = await client.put(url, json=bad, headers=guardian)
        assert answer.status_code == 422, (bad, answer.text)
    unchanged = (await client.get(url, headers=guardian)).json()
    assert unchanged == got

    ok = await client.put(
        url,
        json={
            "categories": {"grade_published": {"email": True}, "announcement": {"push": False}},
            "quiet_hours": {"starts_at": "21:00", "ends_at": "07:00"},
            "sms_number": "+15551234567",
        },
        headers=guardian,
    )
    assert ok.status_code == 200, ok.text
    body = ok.json()
    assert body["categories"]["grade_published"]["email"] is True
    assert body["categories"]["announcement"]["push"] is False
    assert body["categories"]["announcement"]["email"] is True
    assert body["quiet_hours"] == {"starts_at": "21:00:00", "ends_at": "07:00:00"}
    assert (await client.get(url, headers=guardian)).json() == body
    # Nobody reads another person's notifications.
    other = await login(client, "guardian3@demo.test")
    assert (await client.get(url, headers=other)).json()["sms_number"] is None


async def test_urgent_announcement_reaches_every_guardian_once_per_channel_with_live_counts(
    app: FastAPI,
    live_server: LiveServer,
    client: httpx.AsyncClient,
    school: School,
    smtp_server: SmtpServer,
    fcm: tuple[RecordedFcm, Path],
) -> None:
    recorded, _ = fcm
    await register_devices(client)
    # guardian3 is in quiet hours now (08:20 school time): urgent announcements go anyway.
    g3 = await login(client, "guardian3@demo.test")
    quiet = await client.put(
        "/api/v1/me/notification-preferences",
        json={"quiet_hours": {"starts_at": "08:00", "ends_at": "09:00"}},
        headers=g3,
    )
    assert quiet.status_code == 200, quiet.text

    announcement = await announce(client, school, "urgent", "Early pick-up")
    teacher = await login(client, "teacher1@demo.test")
    ws = await Socket.open(live_server.ws_url, teacher)
    try:
        channel = f"notifications.batch.{announcement['id']}"
        assert (await ws.subscribe(channel))["ok"]
        await drain(app)
        last = await ws.until(settled)
    finally:
        await ws.close()
    progress = [e["data"]["percent"] for e in ws.events if e["type"] == "notifications.progress"]
    assert progress == sorted(progress)  # counts only go up
    data = last["data"]
    assert last is ws.events[-1] or last == ws.events[-1]
    assert (data["total"], data["reached"]) == (len(S01_GUARDIANS), len(S01_GUARDIANS))
    assert data["channels"]["push"]["sent"] == len(S01_GUARDIANS)
    assert data["channels"]["email"]["sent"] == len(S01_GUARDIANS)

    pushes = Counter(m["token"] for m in recorded.sent)
    assert pushes == Counter({token(e): 1 for e in S01_GUARDIANS})
    mails = Counter(a for m in smtp_server.inbox for a in addresses(m))
    assert mails == Counter(dict.fromkeys(S01_GUARDIANS, 1))

    got = await client.get(f"/api/v1/notification-batches/{announcement['id']}", headers=teacher)
    assert got.status_code == 200
    assert got.json()["percent"] == 100
    outsider = await login(client, "guardian1@demo.test")
    hidden = await client.get(
        f"/api/v1/notification-batches/{announcement['id']}", headers=outsider
    )
    assert hidden.status_code == 404

    # The proof, per recipient: reached, and how — and the same as CSV for the office.
    recipients = f"/api/v1/notification-batches/{announcement['id']}/recipients"
    page = await client.get(recipients, headers=teacher)
    assert page.status_code == 200, page.text
    listed = page.json()
    assert listed["total"] == len(S01_GUARDIANS)
    for r in listed["items"]:
        assert r["reached"] is True
        assert r["reached_at"] is not None
        assert {"push", "email"} <= set(r["how"])
        assert (r["channels"]["push"]["state"], r["channels"]["email"]["state"]) == (
            "sent",
            "sent",
        )
        assert r["name"]
    waiting = await client.get(recipients, params={"reached": "false"}, headers=teacher)
    assert waiting.json()["total"] == 0
    table = await client.get(recipients, params={"format": "csv"}, headers=teacher)
    assert table.status_code == 200
    assert table.headers["content-type"].startswith("text/csv")
    header, *lines = table.text.splitlines()
    assert header.startswith("person_id,name,reached,reached_at,how")
    assert len(lines) == len(S01_GUARDIANS)
    assert all(",yes," in line and "push+email" in line for line in lines)
    assert (await client.get(recipients, headers=outsider)).status_code == 404


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # dialect-neutral
async def test_normal_announcements_follow_preferences_and_wait_for_quiet_hours(
    app: FastAPI, client: httpx.AsyncClient, school: School, fcm: tuple[RecordedFcm, Path]
) -> None:
    recorded, _ = fcm
    g3 = await login(client, "guardian3@demo.test")
    await client.post(
        "/api/v1/me/push-devices", json={"platform": "fcm", "token": token("g3")}, headers=g3
    )
    r = await client.put(
        "/api/v1/me/notification-preferences",
        json={
            "categories": {"announcement": {"push": False}},
            "quiet_hours": {"starts_at": "08:00", "ends_at": "09:00"},
        },
        headers=g3,
    )
    assert r.status_code == 200, r.text
    await announce(client, school, "normal", "Picture day")
    await drain(app)
    [notice] = await notifications(client, g3)
    assert [a["channel"] for a in notice["attempts"]] == ["email"]  # no push: switched off
    [email] = notice["attempts"]
    assert email["state"] == "pending"
    due = datetime.fromisoformat(email["due_at"]).astimezone(UTC)
    assert due == school_time(9, 0)  # the end of quiet hours, school time
    assert recorded.to(token("g3")) == []
