"""Guardian pairing: a child's code lets an adult ask to be linked; only the office's approval
links them; codes are replaced, decisions final, other tenants and families kept out."""

from __future__ import annotations

import httpx

from edtech.demo import DemoSummary, OtherSummary
from tests.roster import login


async def children(client: httpx.AsyncClient, h: dict[str, str]) -> set[str]:
    me = (await client.get("/api/v1/me", headers=h)).json()
    return {c["student_id"] for c in me["children"]}


async def issue(client: httpx.AsyncClient, h: dict[str, str], student: str) -> str:
    r = await client.post("/api/v1/pairing-codes", headers=h, json={"student_id": student})
    assert r.status_code == 201, r.text
    code: str = r.json()["code"]
    return code


async def test_a_code_asks_and_only_the_offices_approval_links(
    client: httpx.AsyncClient, demo: DemoSummary, other_institution: OtherSummary
) -> None:
    admin = await login(client, "admin@demo.test")
    parent = await login(client, "guardian1@demo.test")
    student3 = str(demo.person("student3@demo.test"))
    code = await issue(client, admin, student3)
    assert len(code) == 14  # XXXX-XXXX-XXXX

    typed = code.replace("-", " ").lower()  # as read off paper
    r = await client.post("/api/v1/pairing-requests", headers=parent, json={"code": typed})
    assert r.status_code == 201, r.text
    asked = r.json()
    assert asked["state"] == "pending"
    again = await client.post("/api/v1/pairing-requests", headers=parent, json={"code": code})
    assert again.json()["id"] == asked["id"]  # asking twice is one request
    assert student3 not in await children(client, parent)  # nothing granted yet

    path = f"/api/v1/pairing-requests/{asked['id']}"
    assert (await client.post(f"{path}/approve", headers=parent)).status_code == 403
    assert (await client.get("/api/v1/pairing-requests", headers=parent)).status_code == 403
    outsider = await login(client, "admin@other.test")
    assert (await client.post(f"{path}/approve", headers=outsider)).status_code == 404
    pending = await client.get(
        "/api/v1/pairing-requests", headers=admin, params={"state": "pending"}
    )
    [row] = pending.json()["items"]
    assert row["id"] == asked["id"]
    names = (await client.get(f"/api/v1/people/{student3}", headers=admin)).json()
    assert row["student_name"] == names["display_name"]

    approved = await client.post(f"{path}/approve", headers=admin)
    assert approved.status_code == 200, approved.text
    assert approved.json()["state"] == "approved"
    assert approved.json()["link_id"] is not None
    assert student3 in await children(client, parent)
    assert (await client.post(f"{path}/reject", headers=admin)).status_code == 409
    linked = await client.post("/api/v1/pairing-requests", headers=parent, json={"code": code})
    assert linked.status_code == 409  # linked already


async def test_codes_are_replaced_and_rejections_grant_nothing(
    client: httpx.AsyncClient, demo: DemoSummary
) -> None:
    admin = await login(client, "admin@demo.test")
    parent = await login(client, "guardian3@demo.test")
    student4 = str(demo.person("student4@demo.test"))
    first = await issue(client, admin, student4)
    second = await issue(client, admin, student4)
    replaced = await client.post("/api/v1/pairing-requests", headers=parent, json={"code": first})
    assert replaced.status_code == 422
    assert replaced.json()["errors"][0]["loc"] == ["code"]
    forged = await client.post(
        "/api/v1/pairing-requests", headers=parent, json={"code": "AAAA-BBBB-CCCC"}
    )
    assert forged.status_code == 422

    r = await client.post("/api/v1/pairing-requests", headers=parent, json={"code": second})
    assert r.status_code == 201, r.text
    path = f"/api/v1/pairing-requests/{r.json()['id']}"
    rejected = await client.post(f"{path}/reject", headers=admin)
    assert rejected.json()["state"] == "rejected"
    assert student4 not in await children(client, parent)
    assert (await client.post(f"{path}/approve", headers=admin)).status_code == 409
    unknown = await client.post(
        "/api/v1/pairing-codes",
        headers=admin,
        json={"student_id": "00000000-0000-7000-8000-000000000000"},
    )
    assert unknown.status_code == 404


async def test_only_an_admin_of_the_childs_school_issues_codes_and_decides(
    client: httpx.AsyncClient, demo: DemoSummary
) -> None:
    """Pairing makes a guardian link: judged on the child, like every link write. Northside's
    admin neither issues a Riverside child's code nor approves or rejects a request for them."""
    admin = await login(client, "admin@demo.test")
    northside = await login(client, "schooladmin@demo.test")
    parent = await login(client, "guardian1@demo.test")
    riverside_child = str(demo.person("student2@demo.test"))
    refused = await client.post(
        "/api/v1/pairing-codes", headers=northside, json={"student_id": riverside_child}
    )
    assert refused.status_code == 403, refused.text
    code = await issue(client, admin, riverside_child)
    asked = await client.post("/api/v1/pairing-requests", headers=parent, json={"code": code})
    path = f"/api/v1/pairing-requests/{asked.json()['id']}"
    for decision in ("approve", "reject"):
        r = await client.post(f"{path}/{decision}", headers=northside)
        assert r.status_code == 403, r.text
    assert riverside_child not in await children(client, parent)
    assert (await client.post(f"{path}/approve", headers=admin)).status_code == 200
    # A Northside child is the Northside admin's to pair.
    assert await issue(client, northside, str(demo.person("student1@demo.test")))
