"""Reports, blocks and the audited admin export over real HTTP."""

from __future__ import annotations

from tests.integration.communication.helpers import People

G1, T1, ADMIN = "guardian1@demo.test", "teacher1@demo.test", "admin@demo.test"


async def test_report_is_kept_once_and_seen_by_admins(people: People) -> None:
    conv = (await people.start(G1, T1)).json()["id"]
    msg = (await people.post(T1, conv, "rude words")).json()
    url = f"/api/v1/conversations/{conv}/messages/{msg['id']}/reports"
    first = await people.client.post(url, json={"reason": "rude"}, headers=await people.as_(G1))
    assert first.status_code == 201
    again = await people.client.post(url, json={"reason": "still"}, headers=await people.as_(G1))
    assert again.json()["id"] == first.json()["id"]
    outsider = await people.client.post(
        url, json={"reason": "x"}, headers=await people.as_("teacher2@demo.test")
    )
    assert outsider.status_code == 404
    empty = await people.client.post(url, json={"reason": "  "}, headers=await people.as_(G1))
    assert empty.status_code == 422
    reports = await people.client.get("/api/v1/message-reports", headers=await people.as_(ADMIN))
    assert [r["message_id"] for r in reports.json()["items"]] == [msg["id"]]
    denied = await people.client.get("/api/v1/message-reports", headers=await people.as_(T1))
    assert denied.status_code == 403


async def test_block_stops_the_blocked_person_until_lifted(people: People) -> None:
    conv = (await people.start(G1, T1)).json()["id"]
    guardian = await people.as_(G1)
    r = await people.client.post(
        "/api/v1/blocks", json={"person_id": str(people.id(T1))}, headers=guardian
    )
    assert r.status_code == 204
    assert (await people.post(T1, conv, "hello?")).status_code == 403
    about = {"kind": "student", "id": str(people.demo.student1_id)}
    assert (await people.start(T1, G1, context=about)).status_code == 403
    assert (await people.post(G1, conv, "I can still write")).status_code == 201
    listed = await people.client.get("/api/v1/blocks", headers=guardian)
    assert [b["person_id"] for b in listed.json()["items"]] == [str(people.id(T1))]
    lifted = await people.client.delete(f"/api/v1/blocks/{people.id(T1)}", headers=guardian)
    assert lifted.status_code == 204
    assert (await people.post(T1, conv, "hello again")).status_code == 201


async def test_admins_cannot_be_blocked_nor_yourself(people: People) -> None:
    guardian = await people.as_(G1)
    admin = await people.client.post(
        "/api/v1/blocks", json={"person_id": str(people.id(ADMIN))}, headers=guardian
    )
    assert admin.status_code == 403
    me = await people.client.post(
        "/api/v1/blocks", json={"person_id": str(people.id(G1))}, headers=guardian
    )
    assert me.status_code == 422


async def test_export_needs_an_admin_and_a_reason_and_is_audited(people: People) -> None:
    conv = (await people.start(G1, T1)).json()["id"]
    msg = (await people.post(G1, conv, "first draft")).json()
    url = f"/api/v1/conversations/{conv}/messages/{msg['id']}"
    g = await people.as_(G1)
    await people.client.patch(url, json={"body": "second draft"}, headers=g)
    await people.client.post(f"{url}/retract", headers=g)
    export_url = f"/api/v1/conversations/{conv}/export"
    teacher = await people.client.post(
        export_url, json={"reason": "curious about it"}, headers=await people.as_(T1)
    )
    assert teacher.status_code == 403
    admin = await people.as_(ADMIN)
    no_reason = await people.client.post(export_url, json={"reason": "why"}, headers=admin)
    assert no_reason.status_code == 422
    missing = await people.client.post(export_url, json={}, headers=admin)
    assert missing.status_code == 422
    r = await people.client.post(
        export_url, json={"reason": "district records request #42"}, headers=admin
    )
    assert r.status_code == 200, r.text
    (exported,) = r.json()["messages"]
    assert exported["body"] == "second draft"
    assert exported["retracted_at"] is not None
    assert [v["body"] for v in exported["earlier_versions"]] == ["first draft"]
    trail = await people.client.get("/api/v1/conversation-exports", headers=admin)
    (entry,) = trail.json()["items"]
    assert entry["reason"] == "district records request #42"
    assert entry["actor_id"] == str(people.id(ADMIN))
