"""Announcements over real HTTP and live: audience, acknowledgements, who may announce."""

from __future__ import annotations

import asyncio

from tests.integration.communication.helpers import People
from tests.integration.communication.test_live_chat import open_as
from tests.servers import LiveServer

T1 = "teacher1@demo.test"
S01_GUARDIANS = {f"guardian{n}@demo.test" for n in (1, 3, 5, 7, 9, 11, 13, 15, 17)}
"""The demo's S01 has the school-0 students 1, 3, 5, 7, 9, 11; students 1, 3 and 5 have a second
guardian (13, 15, 17). See `edtech.demo` (SMALL)."""


async def test_urgent_announcement_reaches_exactly_the_sections_guardians(
    people: People, live_server: LiveServer
) -> None:
    s01 = str(people.demo.section_ids[0])
    g1 = await open_as(people, live_server, "guardian1@demo.test")
    g2 = await open_as(people, live_server, "guardian2@demo.test")
    try:
        for client, email in ((g1, "guardian1@demo.test"), (g2, "guardian2@demo.test")):
            assert (await client.subscribe(f"user.{people.id(email)}"))["ok"] is True
        r = await people.client.post(
            "/api/v1/announcements",
            json={
                "title": "Early pick-up",
                "body": "School closes at noon today.",
                "audience": {"kind": "section_guardians", "section_id": s01},
                "priority": "urgent",
                "requires_ack": True,
            },
            headers=await people.as_(T1),
        )
        assert r.status_code == 201, r.text
        announcement = r.json()
        assert announcement["published_at"] is not None
        live = await g1.until(lambda f: f.get("type") == "announcement.published")
        assert live["data"]["title"] == "Early pick-up"
        assert live["data"]["priority"] == "urgent"
        assert "recipient_ids" not in live["data"]
        await asyncio.sleep(0.3)
        assert not [e for e in g2.events if e["type"] == "announcement.published"]
    finally:
        await g1.close()
        await g2.close()

    acks_url = f"/api/v1/announcements/{announcement['id']}/acknowledgements"
    acks = (await people.client.get(acks_url, headers=await people.as_(T1))).json()
    expected = {str(people.id(e)) for e in S01_GUARDIANS}
    assert {a["person_id"] for a in acks["pending"]} == expected
    assert acks["acknowledged"] == []

    ack_url = f"/api/v1/announcements/{announcement['id']}/acknowledge"
    g1_headers = await people.as_("guardian1@demo.test")
    assert (await people.client.post(ack_url, headers=g1_headers)).status_code == 204
    assert (await people.client.post(ack_url, headers=g1_headers)).status_code == 204
    other = await people.client.post(ack_url, headers=await people.as_("guardian2@demo.test"))
    assert other.status_code == 404
    acks = (await people.client.get(acks_url, headers=await people.as_(T1))).json()
    assert [a["person_id"] for a in acks["acknowledged"]] == [str(people.id("guardian1@demo.test"))]
    assert len(acks["pending"]) == len(expected) - 1
    assert (
        await people.client.get(acks_url, headers=await people.as_("teacher2@demo.test"))
    ).status_code == 404

    mine = (await people.client.get("/api/v1/announcements", headers=g1_headers)).json()
    assert [a["id"] for a in mine["items"]] == [announcement["id"]]
    assert mine["items"][0]["acknowledged_at"] is not None
    sent = (
        await people.client.get("/api/v1/announcements/sent", headers=await people.as_(T1))
    ).json()
    assert sent["items"][0]["recipient_count"] == len(expected)
    assert sent["items"][0]["acknowledged_count"] == 1


async def test_who_may_announce(people: People) -> None:
    s03 = str(people.demo.section_ids[2])
    body = {
        "title": "Hello",
        "body": "World",
        "audience": {"kind": "section", "section_id": s03},
    }
    teacher = await people.client.post(
        "/api/v1/announcements", json=body, headers=await people.as_(T1)
    )
    assert teacher.status_code == 403
    guardian = await people.client.post(
        "/api/v1/announcements", json=body, headers=await people.as_("guardian1@demo.test")
    )
    assert guardian.status_code == 403
    admin = await people.client.post(
        "/api/v1/announcements", json=body, headers=await people.as_("admin@demo.test")
    )
    assert admin.status_code == 201
    bad = await people.client.post(
        "/api/v1/announcements",
        json={**body, "audience": {"kind": "section_guardians"}},
        headers=await people.as_("admin@demo.test"),
    )
    assert bad.status_code == 422
    empty = await people.client.post(
        "/api/v1/announcements",
        json={**body, "title": " "},
        headers=await people.as_("admin@demo.test"),
    )
    assert empty.status_code == 422


async def test_role_and_school_audiences_reach_the_people_holding_them(people: People) -> None:
    admin = await people.as_("admin@demo.test")
    teachers = await people.client.get("/api/v1/people?role=teacher&limit=200", headers=admin)
    assert teachers.status_code == 200, teachers.text
    teacher_count = teachers.json()["total"]
    northside = str(people.demo.school_ids[0])
    by_role = await people.client.post(
        "/api/v1/announcements",
        json={
            "title": "Staff meeting",
            "body": "At 4",
            "audience": {"kind": "role", "role": "teacher"},
        },
        headers=admin,
    )
    assert by_role.status_code == 201, by_role.text
    by_school = await people.client.post(
        "/api/v1/announcements",
        json={
            "title": "Fire drill",
            "body": "Tomorrow",
            "audience": {"kind": "school", "school_id": northside},
        },
        headers=admin,
    )
    assert by_school.status_code == 201, by_school.text
    sent = (await people.client.get("/api/v1/announcements/sent", headers=admin)).json()["items"]
    counts = {a["title"]: a["recipient_count"] for a in sent}
    assert counts["Staff meeting"] == teacher_count > 0
    # the school's teachers and students, not Riverside's and not guardians (no school role)
    assert 0 < counts["Fire drill"] < teacher_count + len(people.demo.people)
    guardian_view = await people.client.get(
        "/api/v1/announcements", headers=await people.as_("guardian1@demo.test")
    )
    assert all(a["title"] != "Fire drill" for a in guardian_view.json()["items"])
    teacher_view = await people.client.get("/api/v1/announcements", headers=await people.as_(T1))
    assert any(a["title"] == "Staff meeting" for a in teacher_view.json()["items"])


async def test_an_unknown_school_audience_is_not_found(people: People) -> None:
    response = await people.client.post(
        "/api/v1/announcements",
        json={
            "title": "Hello",
            "body": "World",
            "audience": {"kind": "school", "school_id": "018f0000-0000-7000-8000-000000000000"},
        },
        headers=await people.as_("admin@demo.test"),
    )
    assert response.status_code == 404
