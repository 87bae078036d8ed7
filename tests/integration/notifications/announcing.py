"""An urgent announcement to section S01's guardians, the devices they register, and the
sender's last progress event: what the announcement tests share."""

from __future__ import annotations

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


def settled(frame: dict[str, Any]) -> bool:
    """The last progress event: everyone reached, no channel pending."""
    if frame.get("type") != "notifications.progress":
        return False
    data = frame["data"]
    pending = sum(c["pending"] for c in data["channels"].values())
    return bool(data["percent"] == 100 and pending == 0)
