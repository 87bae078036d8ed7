"""Acceptance over real HTTP: who sees what of the demo school (both dialects)."""

from __future__ import annotations

import httpx

from edtech.demo import DemoSummary
from tests.roster import login


async def _ids(client: httpx.AsyncClient, path: str, headers: dict[str, str]) -> set[str]:
    r = await client.get(path, headers=headers, params={"limit": 200})
    assert r.status_code == 200, r.text
    return {item["id"] for item in r.json()["items"]}


async def test_me_requires_a_token(client: httpx.AsyncClient, demo: DemoSummary) -> None:
    r = await client.get("/api/v1/me")
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("application/problem+json")


async def test_teacher1_sees_their_sections_and_roster(
    client: httpx.AsyncClient, demo: DemoSummary
) -> None:
    h = await login(client, "teacher1@demo.test")
    me = (await client.get("/api/v1/me", headers=h)).json()
    assert me["person"]["id"] == str(demo.teacher1_id)
    assert [r["role"] for r in me["roles"]] == ["teacher"]
    s01 = str(demo.section_ids[0])
    assert {(s["section_id"], s["role"], s["is_primary"]) for s in me["sections"]} == {
        (s01, "teacher", True)
    }
    assert me["children"] == []

    roster = await client.get(f"/api/v1/sections/{s01}/roster", headers=h)
    assert roster.status_code == 200
    people = {e["person_id"]: e["role"] for e in roster.json()["items"]}
    assert people[str(demo.student1_id)] == "student"
    assert people[str(demo.teacher1_id)] == "teacher"
    students_only = await client.get(f"/api/v1/sections/{s01}/roster?role=student", headers=h)
    assert {e["role"] for e in students_only.json()["items"]} == {"student"}

    other = await client.get(f"/api/v1/sections/{demo.section_ids[2]}/roster", headers=h)
    assert other.status_code == 403


async def test_teacher1_sees_no_guardian_data_of_students_outside_their_sections(
    client: httpx.AsyncClient, demo: DemoSummary
) -> None:
    h = await login(client, "teacher1@demo.test")
    student2 = demo.person("student2@demo.test")  # in S03, taught by teacher3
    assert (await client.get(f"/api/v1/people/{student2}", headers=h)).status_code == 404
    r = await client.get(f"/api/v1/guardian-links?student_id={student2}", headers=h)
    assert r.status_code == 200
    assert r.json()["items"] == []
    assert r.json()["total"] == 0
    guardian2 = demo.person("guardian2@demo.test")
    assert (await client.get(f"/api/v1/people/{guardian2}", headers=h)).status_code == 404

    visible_links = (await client.get("/api/v1/guardian-links?limit=200", headers=h)).json()[
        "items"
    ]
    roster = (
        await client.get(f"/api/v1/sections/{demo.section_ids[0]}/roster?limit=200", headers=h)
    ).json()
    my_students = {e["person_id"] for e in roster["items"] if e["role"] == "student"}
    assert visible_links
    assert {link["student_id"] for link in visible_links} <= my_students
    assert str(demo.guardian1_id) in {link["guardian_id"] for link in visible_links}
    assert (await client.get(f"/api/v1/people/{demo.guardian1_id}", headers=h)).status_code == 200


async def test_guardian1_sees_student1_and_nothing_of_other_students(
    client: httpx.AsyncClient, demo: DemoSummary
) -> None:
    h = await login(client, "guardian1@demo.test")
    me = (await client.get("/api/v1/me", headers=h)).json()
    (child,) = me["children"]
    assert child["student_id"] == str(demo.student1_id)
    flags = ("can_view_attendance", "can_view_grades", "can_view_billing", "can_message")
    assert all(child[flag] is True for flag in flags)

    assert (await client.get(f"/api/v1/people/{demo.student1_id}", headers=h)).status_code == 200
    others = [
        pid
        for email, pid in demo.people.items()
        if email.startswith("student") and pid != demo.student1_id
    ]
    assert others
    for student in others:
        r = await client.get(f"/api/v1/people/{student}", headers=h)
        assert r.status_code == 404, (student, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
    links = (await client.get("/api/v1/guardian-links", headers=h)).json()["items"]
    assert {link["student_id"] for link in links} == {str(demo.student1_id)}
    enrollments = (await client.get("/api/v1/enrollments", headers=h)).json()["items"]
    assert {e["person_id"] for e in enrollments} == {str(demo.student1_id)}
    sections = await _ids(client, "/api/v1/sections", h)
    assert sections == {str(s) for s in demo.section_ids[:2]}  # student1 takes S01 and S02
    assert (
        await client.get(f"/api/v1/sections/{demo.section_ids[2]}", headers=h)
    ).status_code == 404


async def test_custody_restriction_hides_the_child_entirely(
    client: httpx.AsyncClient, demo: DemoSummary
) -> None:
    h = await login(client, "guardian2@demo.test")
    me = (await client.get("/api/v1/me", headers=h)).json()
    assert me["children"] == []
    student2 = demo.person("student2@demo.test")
    assert (await client.get(f"/api/v1/people/{student2}", headers=h)).status_code == 404
    assert (await client.get("/api/v1/guardian-links", headers=h)).json()["items"] == []


async def test_guardian_flags_show_in_me(client: httpx.AsyncClient, demo: DemoSummary) -> None:
    h = await login(client, "guardian3@demo.test")
    (child,) = (await client.get("/api/v1/me", headers=h)).json()["children"]
    assert child["can_view_attendance"] is True
    assert child["can_view_grades"] is False
    assert child["can_view_billing"] is False


async def test_guardian_with_two_children_in_two_schools(
    client: httpx.AsyncClient, demo: DemoSummary
) -> None:
    h = await login(client, "guardian5@demo.test")
    children = (await client.get("/api/v1/me", headers=h)).json()["children"]
    assert {c["student_id"] for c in children} == {
        str(demo.person("student5@demo.test")),
        str(demo.person("student6@demo.test")),
    }


async def test_student_sees_themselves_and_their_teachers_only(
    client: httpx.AsyncClient, demo: DemoSummary
) -> None:
    h = await login(client, "student1@demo.test")
    me = (await client.get("/api/v1/me", headers=h)).json()
    assert {s["role"] for s in me["sections"]} == {"student"}
    people = await _ids(client, "/api/v1/people", h)
    assert str(demo.student1_id) in people
    assert str(demo.teacher1_id) in people
    assert str(demo.person("student3@demo.test")) not in people
    assert str(demo.guardian1_id) not in people
    assert (await client.get("/api/v1/guardian-links", headers=h)).json()["items"] == []
    assert (
        await client.get(f"/api/v1/sections/{demo.section_ids[0]}/roster", headers=h)
    ).status_code == 403


async def test_only_admins_write(client: httpx.AsyncClient, demo: DemoSummary) -> None:
    for email in (
        "teacher1@demo.test",
        "guardian1@demo.test",
        "student1@demo.test",
        "officer@demo.test",
    ):
        h = await login(client, email)
        r = await client.post(
            "/api/v1/people", headers=h, json={"given_name": "X", "family_name": "Y"}
        )
        assert r.status_code == 403, email
        r = await client.patch(
            f"/api/v1/sections/{demo.section_ids[0]}", headers=h, json={"room": "Z9"}
        )
        assert r.status_code in (403, 404), email


async def test_school_admin_manages_only_their_school(
    client: httpx.AsyncClient, demo: DemoSummary
) -> None:
    h = await login(client, "schooladmin@demo.test")
    north, south = demo.school_ids  # ordered by name: Northside, Riverside
    s01, _, s03 = demo.section_ids
    assert (await client.patch(f"/api/v1/sections/{s01}", headers=h, json={"room": "N999"})).json()[
        "room"
    ] == "N999"
    assert (
        await client.patch(f"/api/v1/sections/{s03}", headers=h, json={"room": "R999"})
    ).status_code == 403
    assert (
        await client.patch(
            f"/api/v1/schools/{north}", headers=h, json={"timezone": "America/Chicago"}
        )
    ).status_code == 200
    assert (
        await client.patch(f"/api/v1/schools/{south}", headers=h, json={"name": "X"})
    ).status_code == 403
