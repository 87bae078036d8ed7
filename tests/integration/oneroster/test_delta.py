"""A delta from the SIS moves a student, ends a teacher's role and adds a guardian: the roster,
the gradebook and the guardian's access follow, and the teacher's open socket is told."""

from __future__ import annotations

import uuid

import httpx
from fastapi import FastAPI

from edtech.demo import DemoSummary
from tests.integration.attendance.helpers import Socket
from tests.integration.oneroster.helpers import (
    give_login,
    imported,
    package,
    person_id,
    section_id,
)
from tests.roster import login


async def _active(client: httpx.AsyncClient, auth: dict[str, str], section: uuid.UUID) -> set[str]:
    r = await client.get(
        "/api/v1/enrollments",
        params={"section_id": str(section), "active": "true", "limit": 200},
        headers=auth,
    )
    assert r.status_code == 200, r.text
    return {e["person_id"] for e in r.json()["items"]}


async def test_a_delta_moves_a_student_ends_a_teacher_and_adds_a_guardian_live(
    client: httpx.AsyncClient,
    app: FastAPI,
    live_server: object,
    demo: DemoSummary,
    database_url: str,
    demo_password_hash: str,
) -> None:
    admin = await login(client, "admin@demo.test")
    await imported(client, app, admin, package("bulk"))
    p1, p2 = await section_id(client, admin, "ALG1-P1"), await section_id(client, admin, "ALG1-P2")
    bio = await section_id(client, admin, "BIO-P3")
    maya, zoe = await person_id(client, admin, "s-1"), await person_id(client, admin, "s-3")
    grace, ada = await person_id(client, admin, "t-grace"), await person_id(client, admin, "t-ada")
    for who, email in (
        (grace, "grace.hopper@lakeside.example"),
        (ada, "ada.lovelace@lakeside.example"),
    ):
        await give_login(database_url, demo.institution_id, who, email, demo_password_hash)
    grace_auth = await login(client, "grace.hopper@lakeside.example")
    ada_auth = await login(client, "ada.lovelace@lakeside.example")
    assert str(maya) in await _active(client, admin, p1)

    channel = f"grades.section.{bio}"
    ws = await Socket.open(live_server.ws_url, grace_auth)  # type: ignore[attr-defined]
    try:
        assert (await ws.subscribe(channel))["ok"]

        report = await imported(client, app, admin, package("delta"))
        entities = report["entities"]
        assert entities["enrollment"] == {"created": 1, "changed": 0, "ended": 2, "unchanged": 0}
        assert entities["role"]["ended"] == 1
        assert entities["role"]["created"] == 1
        assert entities["user"]["created"] == 1
        assert entities["link"]["created"] == 1

        notice = await ws.until(lambda f: f.get("op") == "unsubscribed")
        assert notice["channel"] == channel
        assert notice["error"]["code"] == "forbidden"
        assert (await ws.subscribe(channel))["ok"] is False
    finally:
        await ws.close()

    # the student moved: ended in period 1 (history kept), enrolled in period 2
    assert str(maya) not in await _active(client, admin, p1)
    assert str(maya) in await _active(client, admin, p2)
    r = await client.get(
        "/api/v1/enrollments", params={"section_id": str(p1), "person_id": str(maya)}, headers=admin
    )
    (ended,) = r.json()["items"]
    assert ended["active"] is False
    assert ended["ends_on"] is not None
    # Ada's gradebook of period 2 lists Maya now; Grace no longer reaches Biology's
    grid = await client.get(f"/api/v1/sections/{p2}/gradebook/grid", headers=ada_auth)
    assert grid.status_code == 200, grid.text
    assert str(maya) in grid.text
    refused = await client.get(f"/api/v1/sections/{bio}/gradebook/grid", headers=grace_auth)
    assert refused.status_code == 403, refused.text
    # the new guardian sees Zoe as their child
    ken = await person_id(client, admin, "g-2")
    await give_login(
        database_url, demo.institution_id, ken, "ken.nakamura@family.example", demo_password_hash
    )
    ken_auth = await login(client, "ken.nakamura@family.example")
    me = await client.get("/api/v1/me", headers=ken_auth)
    assert [c["student_id"] for c in me.json()["children"]] == [str(zoe)], me.text
    grades = await client.get(f"/api/v1/sections/{bio}/students/{zoe}/grades", headers=ken_auth)
    assert grades.status_code == 200, grades.text
