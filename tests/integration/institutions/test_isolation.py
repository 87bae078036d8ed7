"""A user of another institution gets 404 for everything of the demo institution (both dialects)."""

from __future__ import annotations

import httpx

from edtech.demo import DemoSummary, OtherSummary
from tests.roster import login

API = "/api/v1"


async def test_other_tenant_admin_gets_404_for_every_demo_resource(
    client: httpx.AsyncClient, demo: DemoSummary, other_institution: OtherSummary
) -> None:
    demo_admin = await login(client, "admin@demo.test")
    h = await login(client, "admin@other.test")
    s01 = demo.section_ids[0]
    ids = {
        "schools": demo.school_ids[0],
        "sections": s01,
        "people": demo.student1_id,
        "terms": demo.term_id,
        "courses": (await client.get(f"{API}/sections/{s01}", headers=demo_admin)).json()[
            "course_id"
        ],
        "enrollments": (await client.get(f"{API}/enrollments?limit=1", headers=demo_admin)).json()[
            "items"
        ][0]["id"],
        "guardian-links": (
            await client.get(f"{API}/guardian-links?limit=1", headers=demo_admin)
        ).json()["items"][0]["id"],
    }
    for collection, id_ in ids.items():
        r = await client.get(f"{API}/{collection}/{id_}", headers=h)
        assert r.status_code == 404, (collection, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert (
            await client.patch(f"{API}/{collection}/{id_}", headers=h, json={})
        ).status_code == 404, collection
        listed = (await client.get(f"{API}/{collection}?limit=200", headers=h)).json()["items"]
        assert str(id_) not in {item["id"] for item in listed}, collection
    for path in (
        f"sections/{s01}/roster",
        f"sections/{s01}/meetings",
        f"people/{demo.student1_id}/roles",
    ):
        assert (await client.get(f"{API}/{path}", headers=h)).status_code == 404, path
    for path in (
        f"people/{demo.student1_id}/end",
        f"enrollments/{ids['enrollments']}/end",
        f"guardian-links/{ids['guardian-links']}/end",
    ):
        assert (await client.post(f"{API}/{path}", headers=h)).status_code == 404, path
    assert (await client.delete(f"{API}/people/{demo.teacher1_id}", headers=h)).status_code == 404
    # Referring to the demo's rows in a body is refused as if they did not exist.
    r = await client.post(
        f"{API}/enrollments",
        headers=h,
        json={
            "section_id": str(s01),
            "person_id": str(other_institution.student_id),
            "role": "student",
        },
    )
    assert r.status_code == 422
    assert {tuple(e["loc"]) for e in r.json()["errors"]} == {("section_id",)}
    r = await client.post(
        f"{API}/guardian-links",
        headers=h,
        json={
            "student_id": str(demo.student1_id),
            "guardian_id": str(other_institution.guardian_id),
        },
    )
    assert {tuple(e["loc"]) for e in r.json()["errors"]} == {("student_id",)}
    people = (await client.get(f"{API}/people?limit=200", headers=h)).json()
    assert people["total"] == 4
    me = (await client.get(f"{API}/institutions/me", headers=h)).json()
    assert me["id"] == str(other_institution.institution_id)
    assert me["name"] == "Other Academy"


async def test_other_tenant_guardian_and_teacher_see_nothing_of_the_demo(
    client: httpx.AsyncClient, demo: DemoSummary, other_institution: OtherSummary
) -> None:
    for email in ("guardian@other.test", "teacher@other.test"):
        h = await login(client, email)
        assert (await client.get(f"{API}/people/{demo.student1_id}", headers=h)).status_code == 404
        assert (
            await client.get(f"{API}/sections/{demo.section_ids[0]}", headers=h)
        ).status_code == 404
        links = (
            await client.get(
                f"{API}/guardian-links", headers=h, params={"student_id": str(demo.student1_id)}
            )
        ).json()
        assert links["items"] == []
    guardian = await login(client, "guardian@other.test")
    (child,) = (await client.get(f"{API}/me", headers=guardian)).json()["children"]
    assert child["student_id"] == str(other_institution.student_id)
