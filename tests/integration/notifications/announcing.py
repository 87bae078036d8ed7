"""An urgent announcement to section S01's guardians, the devices they register, and the
sender's last progress event: what the announcement tests share."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.integration.attendance.helpers import School
from tests.roster import login

S01_GUARDIANS = [f"guardian{n}@demo.test" for n in (1, 3, 5, 7, 9, 11, 13, 15, 17)]


def token(email: str) -> str:
    return f"fcm-token-{email.split('@')[0]}-00000000"


async def announce(
    client: httpx.AsyncClient, school: School, priority: str, title: str
) -> dict[str, Any]:
    r = await client.post(
        "/api/v1/announcements",
        json={
            "title": title,
            "body": "School closes at noon today.",
            "audience": {"kind": "section_guardians", "section_id": str(school.s01)},
            "priority": priority,
        },
        headers=await login(client, "teacher1@demo.test"),
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


async def register_devices(client: httpx.AsyncClient) -> None:
    """Every S01 guardian registers an FCM device (`token(email)`)."""
    for email in S01_GUARDIANS:
        r = await client.post(
            "/api/v1/me/push-devices",
            json={"platform": "fcm", "token": token(email)},
            headers=await login(client, email),
        )
        assert r.status_code == 201, r.text


async def urgent_batch(client: httpx.AsyncClient, school: School) -> uuid.UUID:
    """S01's guardians' devices registered, an urgent announcement to them: its batch."""
    await register_devices(client)
    announcement = await announce(client, school, "urgent", "Early pick-up")
    return uuid.UUID(announcement["id"])


def settled(frame: dict[str, Any]) -> bool:
    """The last progress event: everyone reached, no channel pending."""
    if frame.get("type") != "notifications.progress":
        return False
    data = frame["data"]
    pending = sum(c["pending"] for c in data["channels"].values())
    return bool(data["percent"] == 100 and pending == 0)
