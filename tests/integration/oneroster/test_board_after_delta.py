"""Attendance boards after a delta import that moves a student to another class."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
from fastapi import FastAPI

from edtech.demo import DemoSummary
from tests.integration.oneroster.helpers import imported, package, person_id, section_id
from tests.roster import login


async def _board(client: httpx.AsyncClient, auth: dict[str, str], session: str) -> set[str]:
    r = await client.get(f"/api/v1/attendance/sessions/{session}/board", headers=auth)
    assert r.status_code == 200, r.text
    return {m["student_id"] for m in r.json()["marks"]}


async def _session(
    client: httpx.AsyncClient, auth: dict[str, str], section: uuid.UUID, in_hours: int = 2
) -> str:
    starts = datetime.now(UTC).replace(microsecond=0, second=0) + timedelta(hours=in_hours)
    body = {
        "section_id": str(section),
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(minutes=50)).isoformat(),
    }
    r = await client.post("/api/v1/attendance/sessions", json=body, headers=auth)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def test_a_board_made_after_a_delta_shows_the_moved_student_in_the_new_class(
    client: httpx.AsyncClient, app: FastAPI, demo: DemoSummary
) -> None:
    admin = await login(client, "admin@demo.test")
    await imported(client, app, admin, package("bulk"))
    p1, p2 = await section_id(client, admin, "ALG1-P1"), await section_id(client, admin, "ALG1-P2")
    maya = str(await person_id(client, admin, "s-1"))
    before = await _session(client, admin, p1)
    assert maya in await _board(client, admin, before)

    await imported(client, app, admin, package("delta"))

    first, second = await _session(client, admin, p1, 4), await _session(client, admin, p2, 4)
    assert maya not in await _board(client, admin, first)
    assert maya in await _board(client, admin, second)


async def test_a_board_made_before_a_delta_follows_the_move(
    client: httpx.AsyncClient, app: FastAPI, demo: DemoSummary
) -> None:
    admin = await login(client, "admin@demo.test")
    await imported(client, app, admin, package("bulk"))
    p1, p2 = await section_id(client, admin, "ALG1-P1"), await section_id(client, admin, "ALG1-P2")
    maya = str(await person_id(client, admin, "s-1"))
    first, second = await _session(client, admin, p1), await _session(client, admin, p2)
    assert maya in await _board(client, admin, first)
    assert maya not in await _board(client, admin, second)

    await imported(client, app, admin, package("delta"))

    assert maya not in await _board(client, admin, first)
    assert maya in await _board(client, admin, second)
