"""A school admin manages the people of their own schools only (issue #14, defect 1).

schooladmin@demo.test administers Northside; odd students are Northside's, even ones
Riverside's. Over real HTTP, on both dialects.
"""

from __future__ import annotations

import uuid

import httpx

from edtech.demo import DemoSummary
from tests.roster import login


async def _link_of(
    client: httpx.AsyncClient, headers: dict[str, str], student: uuid.UUID, guardian: uuid.UUID
) -> dict[str, object]:
    r = await client.get(
        "/api/v1/guardian-links",
        params={"student_id": str(student), "guardian_id": str(guardian)},
        headers=headers,
    )
    assert r.status_code == 200, r.text
    (link,) = r.json()["items"]
    return dict(link)


async def test_school_admin_cannot_lift_a_custody_restriction_of_another_school(
    client: httpx.AsyncClient, demo: DemoSummary
) -> None:
    admin = await login(client, "admin@demo.test")
    northside = await login(client, "schooladmin@demo.test")
    student2 = demo.person("student2@demo.test")  # Riverside
    guardian2 = demo.person("guardian2@demo.test")  # custody restriction on student2
    link = await _link_of(client, admin, student2, guardian2)
    assert link["custody_restriction"] is True

    r = await client.patch(
        f"/api/v1/guardian-links/{link['id']}",
        json={"custody_restriction": False},
        headers=northside,
    )
    assert r.status_code == 403, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    r = await client.post(f"/api/v1/guardian-links/{link['id']}/end", json={}, headers=northside)
    assert r.status_code == 403, r.text
    assert (
        await client.delete(f"/api/v1/guardian-links/{link['id']}", headers=northside)
    ).status_code == 403
    after = await _link_of(client, admin, student2, guardian2)
    assert after["custody_restriction"] is True
    assert after["ends_on"] is None

    r = await client.post(
        "/api/v1/guardian-links",
        json={"student_id": str(student2), "guardian_id": str(demo.guardian1_id)},
        headers=northside,
    )
    assert r.status_code == 403, r.text


async def test_school_admin_cannot_change_or_end_another_schools_student(
    client: httpx.AsyncClient, demo: DemoSummary
) -> None:
    northside = await login(client, "schooladmin@demo.test")
    student2 = demo.person("student2@demo.test")
    r = await client.patch(
        f"/api/v1/people/{student2}", json={"given_name": "Mallory"}, headers=northside
    )
    assert r.status_code == 403, r.text
    r = await client.post(f"/api/v1/people/{student2}/end", json={}, headers=northside)
    assert r.status_code == 403, r.text
    assert (await client.delete(f"/api/v1/people/{student2}", headers=northside)).status_code == 403
    # Adopting them (a Northside role, a Northside section) is refused too.
    r = await client.post(
        f"/api/v1/people/{student2}/roles",
        json={"role": "student", "school_id": str(demo.school_ids[0])},
        headers=northside,
    )
    assert r.status_code == 403, r.text
    r = await client.post(
        "/api/v1/enrollments",
        json={
            "section_id": str(demo.section_ids[0]),
            "person_id": str(student2),
            "role": "student",
        },
        headers=northside,
    )
    assert r.status_code == 403, r.text

    admin = await login(client, "admin@demo.test")
    person = (await client.get(f"/api/v1/people/{student2}", headers=admin)).json()
    assert person["given_name"] != "Mallory"
    assert person["ends_on"] is None
    # The institution admin still manages everyone.
    r = await client.patch(f"/api/v1/people/{student2}", json={"grade_level": "8"}, headers=admin)
    assert r.status_code == 200, r.text


async def test_guardians_follow_their_children(
    client: httpx.AsyncClient, demo: DemoSummary
) -> None:
    northside = await login(client, "schooladmin@demo.test")

    async def patch(email: str) -> int:
        r = await client.patch(
            f"/api/v1/people/{demo.person(email)}", json={"grade_level": None}, headers=northside
        )
        return r.status_code

    assert await patch("student1@demo.test") == 200  # Northside student
    assert await patch("guardian1@demo.test") == 200  # guardian of student1 (Northside)
    assert await patch("guardian5@demo.test") == 200  # children at Northside and Riverside
    assert await patch("guardian2@demo.test") == 403  # only child: student2 (Riverside)
    assert await patch("admin@demo.test") == 403  # institution-wide staff


async def test_school_admin_places_a_new_person_and_then_only_manages_them_while_theirs(
    client: httpx.AsyncClient, demo: DemoSummary
) -> None:
    northside = await login(client, "schooladmin@demo.test")
    r = await client.post(
        "/api/v1/people", json={"given_name": "New", "family_name": "Comer"}, headers=northside
    )
    assert r.status_code == 201, r.text
    newcomer = r.json()["id"]
    r = await client.post(
        "/api/v1/enrollments",
        json={"section_id": str(demo.section_ids[0]), "person_id": newcomer, "role": "student"},
        headers=northside,
    )
    assert r.status_code == 201, r.text
    enrollment_id = r.json()["id"]
    r = await client.patch(
        f"/api/v1/people/{newcomer}", json={"grade_level": "7"}, headers=northside
    )
    assert r.status_code == 200, r.text

    # The institution admin moves them to Riverside: Northside no longer manages them.
    admin = await login(client, "admin@demo.test")
    r = await client.post(f"/api/v1/enrollments/{enrollment_id}/end", json={}, headers=admin)
    assert r.status_code in (200, 204), r.text
    r = await client.post(
        "/api/v1/enrollments",
        json={"section_id": str(demo.section_ids[2]), "person_id": newcomer, "role": "student"},
        headers=admin,
    )
    assert r.status_code == 201, r.text
    r = await client.patch(
        f"/api/v1/people/{newcomer}", json={"grade_level": "8"}, headers=northside
    )
    assert r.status_code == 403, r.text
