"""Conversations and messages over real HTTP: policy, isolation, idempotency, edits, receipts."""

from __future__ import annotations

import uuid

import httpx

from edtech.communication.domain import MAX_BODY
from edtech.demo import OtherSummary
from tests.integration.communication.helpers import People

G1, T1, T3 = "guardian1@demo.test", "teacher1@demo.test", "teacher3@demo.test"


async def test_guardian_starts_conversation_with_their_childs_teacher(people: People) -> None:
    student1 = str(people.demo.student1_id)
    r = await people.start(G1, T1, context={"kind": "student", "id": student1})
    assert r.status_code == 201, r.text
    conv = r.json()
    assert conv["kind"] == "direct"
    assert conv["context"] == {"kind": "student", "id": student1}
    ids = {p["person_id"] for p in conv["participants"]}
    assert ids == {str(people.id(G1)), str(people.id(T1))}
    again = await people.start(T1, G1, context={"kind": "student", "id": student1})
    assert again.status_code == 200
    assert again.json()["id"] == conv["id"]


async def test_policy_refusals_are_403(people: People) -> None:
    assert (await people.start(G1, T3)).status_code == 403
    assert (await people.start(G1, "guardian3@demo.test")).status_code == 403
    assert (await people.start("student1@demo.test", "student3@demo.test")).status_code == 403
    # guardian4's link has can_message off
    assert (await people.start("guardian4@demo.test", T3)).status_code == 403


async def test_custody_restricted_guardian_cannot_message_about_that_child(
    people: People,
) -> None:
    student2 = str(people.id("student2@demo.test"))
    about = {"kind": "student", "id": student2}
    r = await people.start("guardian2@demo.test", T3, context=about)
    assert r.status_code == 403
    assert r.json()["code"] == "forbidden"
    assert (await people.start(T3, "guardian2@demo.test", context=about)).status_code == 403
    # an admin may still write to them (not about the child's records: the policy allows admins)
    assert (await people.start("admin@demo.test", "guardian2@demo.test")).status_code == 201


async def test_institution_can_let_classmates_message(people: People) -> None:
    admin = await people.as_("admin@demo.test")
    r = await people.client.put(
        "/api/v1/messaging-settings",
        json={"students_may_message_students": True},
        headers=admin,
    )
    assert r.status_code == 200, r.text
    assert (await people.start("student1@demo.test", "student3@demo.test")).status_code == 201
    teacher = await people.as_(T1)
    denied = await people.client.put(
        "/api/v1/messaging-settings", json={"students_may_message_students": False}, headers=teacher
    )
    assert denied.status_code == 403


async def test_unknown_or_other_tenant_people_are_404(
    people: People, other_institution: OtherSummary
) -> None:
    headers = await people.as_(G1)
    for person_id in (uuid.uuid4(), other_institution.teacher_id):
        r = await people.client.post(
            "/api/v1/conversations",
            json={"participant_ids": [str(person_id)]},
            headers=headers,
        )
        assert r.status_code == 404, r.text


async def test_non_participants_get_404_everywhere(people: People) -> None:
    conv = (await people.start(G1, T1)).json()["id"]
    msg = (await people.post(G1, conv, "hello")).json()
    outsider = await people.as_("teacher2@demo.test")
    base = f"/api/v1/conversations/{conv}"
    c = people.client
    for r in (
        await c.get(base, headers=outsider),
        await c.get(f"{base}/messages", headers=outsider),
        await c.post(f"{base}/messages", json={"client_id": "x1", "body": "hi"}, headers=outsider),
        await c.post(f"{base}/read", json={"up_to_seq": 1}, headers=outsider),
        await c.patch(f"{base}/messages/{msg['id']}", json={"body": "x"}, headers=outsider),
    ):
        assert r.status_code == 404, r.text
    r = await c.get(f"/api/v1/conversations/{uuid.uuid4()}", headers=outsider)
    assert r.status_code == 404


async def test_same_client_id_five_times_is_one_message(people: People) -> None:
    conv = (await people.start(G1, T1)).json()["id"]
    replies = [await people.post(G1, conv, "once", client_id="c-1") for _ in range(5)]
    assert [r.status_code for r in replies] == [201, 200, 200, 200, 200]
    assert len({r.json()["id"] for r in replies}) == 1
    assert all(r.json()["replayed"] for r in replies[1:])
    page = await people.client.get(
        f"/api/v1/conversations/{conv}/messages", headers=await people.as_(G1)
    )
    assert [m["body"] for m in page.json()["items"]] == ["once"]
    # a replay took the conversation's next number and gave it back: numbers stay gapless
    after = await people.post(G1, conv, "next", client_id="c-2")
    assert (replies[0].json()["seq"], after.json()["seq"]) == (1, 2)


async def test_empty_and_oversized_bodies_name_the_limit(people: People) -> None:
    conv = (await people.start(G1, T1)).json()["id"]
    empty = await people.post(G1, conv, "   ")
    assert empty.status_code == 422
    assert empty.json()["errors"][0]["loc"] == ["body"]
    big = await people.post(G1, conv, "x" * (MAX_BODY + 1))
    assert big.status_code == 422
    assert str(MAX_BODY) in big.json()["errors"][0]["msg"]
    bad_id = await people.post(G1, conv, "hi", client_id="no spaces allowed")
    assert bad_id.status_code == 422
    missing = await people.client.post(
        f"/api/v1/conversations/{conv}/messages", json={"body": "x"}, headers=await people.as_(G1)
    )
    assert missing.status_code == 422


async def test_history_is_newest_first_with_a_cursor(people: People) -> None:
    conv = (await people.start(G1, T1)).json()["id"]
    for n in range(5):
        assert (await people.post(G1 if n % 2 else T1, conv, f"m{n}")).status_code == 201
    headers = await people.as_(G1)
    url = f"/api/v1/conversations/{conv}/messages"
    first = (await people.client.get(url, params={"limit": 2}, headers=headers)).json()
    assert [m["body"] for m in first["items"]] == ["m4", "m3"]
    second = (
        await people.client.get(
            url, params={"limit": 2, "before": first["next_before"]}, headers=headers
        )
    ).json()
    assert [m["body"] for m in second["items"]] == ["m2", "m1"]
    last = (
        await people.client.get(
            url, params={"limit": 2, "before": second["next_before"]}, headers=headers
        )
    ).json()
    assert [m["body"] for m in last["items"]] == ["m0"]
    assert last["next_before"] is None


async def test_edit_keeps_versions_and_only_the_sender_may(people: People) -> None:
    conv = (await people.start(G1, T1)).json()["id"]
    msg = (await people.post(G1, conv, "helo")).json()
    url = f"/api/v1/conversations/{conv}/messages/{msg['id']}"
    denied = await people.client.patch(url, json={"body": "x"}, headers=await people.as_(T1))
    assert denied.status_code == 403
    r = await people.client.patch(url, json={"body": "hello"}, headers=await people.as_(G1))
    assert r.status_code == 200
    assert r.json()["version"] == 2
    assert r.json()["body"] == "hello"
    versions = await people.client.get(f"{url}/versions", headers=await people.as_(T1))
    assert [v["body"] for v in versions.json()] == ["helo"]


async def test_custody_restriction_stops_edits_and_retractions_of_earlier_messages(
    people: People,
) -> None:
    student1 = str(people.demo.student1_id)
    conv = (await people.start(G1, T1, context={"kind": "student", "id": student1})).json()["id"]
    msg = (await people.post(G1, conv, "see you at pickup")).json()
    url = f"/api/v1/conversations/{conv}/messages/{msg['id']}"
    admin, g1 = await people.as_("admin@demo.test"), await people.as_(G1)
    links = await people.client.get(
        "/api/v1/guardian-links", headers=admin, params={"guardian_id": str(people.id(G1))}
    )
    (link,) = links.json()["items"]
    link_url = f"/api/v1/guardian-links/{link['id']}"
    restrict = {"custody_restriction": True, "custody_note": "court order"}
    assert (await people.client.patch(link_url, headers=admin, json=restrict)).status_code == 200
    edit = await people.client.patch(url, json={"body": "changed"}, headers=g1)
    assert edit.status_code == 403, edit.text
    assert edit.json()["code"] == "forbidden"
    assert (await people.client.post(f"{url}/retract", headers=g1)).status_code == 403
    lift = {"custody_restriction": False}
    assert (await people.client.patch(link_url, headers=admin, json=lift)).status_code == 200
    again = await people.client.patch(url, json={"body": "changed"}, headers=g1)
    assert again.status_code == 200, again.text
    assert again.json()["body"] == "changed"


async def test_retract_leaves_a_tombstone(people: People) -> None:
    conv = (await people.start(G1, T1)).json()["id"]
    msg = (await people.post(G1, conv, "oops")).json()
    url = f"/api/v1/conversations/{conv}/messages/{msg['id']}"
    assert (
        await people.client.post(f"{url}/retract", headers=await people.as_(T1))
    ).status_code == 403
    r = await people.client.post(f"{url}/retract", headers=await people.as_(G1))
    assert r.status_code == 200
    assert r.json()["retracted"] is True
    assert r.json()["body"] is None
    page = (
        await people.client.get(
            f"/api/v1/conversations/{conv}/messages", headers=await people.as_(T1)
        )
    ).json()
    assert page["items"][0]["id"] == msg["id"]
    assert page["items"][0]["body"] is None
    edit = await people.client.patch(url, json={"body": "again"}, headers=await people.as_(G1))
    assert edit.status_code == 409


async def test_unread_counts_and_read_receipts(people: People) -> None:
    conv = (await people.start(G1, T1)).json()["id"]
    for n in range(3):
        await people.post(G1, conv, f"q{n}")
    teacher = await people.as_(T1)
    listing = (await people.client.get("/api/v1/conversations", headers=teacher)).json()
    assert listing["unread_total"] == 3
    assert listing["items"][0]["unread"] == 3
    r = await people.client.post(
        f"/api/v1/conversations/{conv}/read", json={"up_to_seq": 2}, headers=teacher
    )
    assert r.json() == {"read_seq": 2, "last_seq": 3, "receipt_held": False}
    # never backwards
    await people.client.post(
        f"/api/v1/conversations/{conv}/read", json={"up_to_seq": 1}, headers=teacher
    )
    listing = (await people.client.get("/api/v1/conversations", headers=teacher)).json()
    assert listing["unread_total"] == 1
    seen_by_guardian = (
        await people.client.get(f"/api/v1/conversations/{conv}", headers=await people.as_(G1))
    ).json()
    cursors = {p["person_id"]: p["read_seq"] for p in seen_by_guardian["participants"]}
    assert cursors[str(people.id(T1))] == 2
    assert cursors[str(people.id(G1))] == 3  # your own messages count as read
    assert seen_by_guardian["unread"] == 0


async def test_requests_need_a_login(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/v1/conversations")).status_code == 401
