"""Bad input: clear errors naming the item and field, and nothing half-applied."""

from __future__ import annotations

import uuid

import httpx

from edtech.demo import DemoSummary
from tests.integration.grades.helpers import create_assessment, item, make_book, ok, outbox
from tests.roster import login


async def _no_drafts(
    client: httpx.AsyncClient, section_id: uuid.UUID, headers: dict[str, str]
) -> None:
    grid = ok(await client.get(f"/api/v1/sections/{section_id}/gradebook/grid", headers=headers))
    assert all(c["draft"] is None for row in grid["items"] for c in row["cells"])


async def test_invalid_items_are_all_reported_by_index_and_nothing_is_saved(
    client: httpx.AsyncClient, demo: DemoSummary, database_url: str
) -> None:
    book = await make_book(client, demo, database_url)
    lettered = await create_assessment(
        client, book, "Essay", book.tests, "20", scheme=book.letter_scheme
    )
    s1, s2 = book.students[0], book.students[1]
    outsider = demo.person("student2@demo.test")  # the other school: not in this section
    assert outsider not in book.students
    items = [
        item(book.homework1, s1, "8"),  # fine
        item(book.homework1, s2, "11"),  # above max
        item(book.test1, s1, "-1"),  # negative
        item(lettered, s1, "E"),  # no such letter
        item(book.homework1, outsider, "5"),  # not enrolled
        item(book.test1, s2, "55", flags=["extra_credit"]),  # fine: extra credit
        item(book.homework1, s1, "7"),  # same cell twice
        item(uuid.uuid4(), s1, "1"),  # unknown assessment
    ]
    r = await client.post(
        f"/api/v1/sections/{book.section_id}/results/batch",
        json={"items": items},
        headers=book.teacher,
    )
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    errors = {tuple(e["loc"]): e for e in body["errors"]}
    assert set(errors) == {
        ("items", 1, "value"),
        ("items", 2, "value"),
        ("items", 3, "value"),
        ("items", 4, "student_id"),
        ("items", 6, "student_id"),
        ("items", 7, "assessment_id"),
    }
    assert errors[("items", 1, "value")]["type"] == "above_max_points"
    assert "extra_credit" in errors[("items", 1, "value")]["msg"]
    assert "A, B, C, D, F" in errors[("items", 3, "value")]["msg"]
    assert body["detail"] == "6 of 8 items are invalid; nothing was saved"
    await _no_drafts(client, book.section_id, book.teacher)
    assert await outbox(database_url, "grades.") == []


async def test_stale_version_is_a_conflict_for_the_item_and_nothing_is_saved(
    client: httpx.AsyncClient, demo: DemoSummary, database_url: str
) -> None:
    book = await make_book(client, demo, database_url)
    s1, s2 = book.students[0], book.students[1]
    url = f"/api/v1/sections/{book.section_id}/results/batch"
    ok(
        await client.post(
            url, json={"items": [item(book.homework1, s1, "8")]}, headers=book.teacher
        )
    )
    r = await client.post(
        url,
        json={
            "items": [
                item(book.homework1, s2, "9", version=0),
                item(book.homework1, s1, "6", version=0),
            ]
        },
        headers=book.teacher,
    )
    assert r.status_code == 409, r.text
    assert [e["loc"] for e in r.json()["errors"]] == [["items", 1, "version"]]
    grid = ok(
        await client.get(f"/api/v1/sections/{book.section_id}/gradebook/grid", headers=book.teacher)
    )
    cells = {row["student_id"]: row["cells"][0] for row in grid["items"]}
    assert cells[str(s1)]["draft"]["points"] == "8"
    assert cells[str(s2)]["draft"] is None
    single = await client.put(
        f"/api/v1/assessments/{book.homework1}/results/{s1}",
        json={"value": "1", "version": 7},
        headers=book.teacher,
    )
    assert single.status_code == 409


async def test_single_result_errors_name_the_field(
    client: httpx.AsyncClient, demo: DemoSummary, database_url: str
) -> None:
    book = await make_book(client, demo, database_url)
    url = f"/api/v1/assessments/{book.homework1}/results/{book.students[0]}"
    r = await client.put(url, json={"value": "12"}, headers=book.teacher)
    assert r.status_code == 422
    assert [e["loc"] for e in r.json()["errors"]] == [["value"]]
    r = await client.put(url, json={"value": {"x": 1}}, headers=book.teacher)
    assert r.status_code == 422
    r = await client.put(url, json={"flags": ["sleepy"]}, headers=book.teacher)
    assert r.status_code == 422
    r = await client.put(url, json={"flags": ["missing", "excused"]}, headers=book.teacher)
    assert [e["loc"] for e in r.json()["errors"]] == [["flags"]]


async def test_weights_that_do_not_sum_are_refused(
    client: httpx.AsyncClient, demo: DemoSummary, database_url: str
) -> None:
    book = await make_book(client, demo, database_url)
    r = await client.put(
        f"/api/v1/sections/{book.section_id}/gradebook",
        json={
            "weighting": "weighted",
            "categories": [
                {"id": str(book.homework), "name": "Homework", "weight_ppm": 300_000},
                {"id": str(book.tests), "name": "Tests", "weight_ppm": 600_000},
            ],
        },
        headers=book.teacher,
    )
    assert r.status_code == 422
    (error,) = r.json()["errors"]
    assert error["loc"] == ["categories"]
    assert error["type"] == "weights_do_not_sum"
    r = await client.put(
        f"/api/v1/sections/{book.section_id}/gradebook",
        json={"weighting": "weighted", "categories": [{"name": "Tests", "weight_ppm": 1_000_000}]},
        headers=book.teacher,
    )
    assert r.status_code == 422
    assert {e["type"] for e in r.json()["errors"]} == {"category_in_use"}
    r = await client.put(
        f"/api/v1/sections/{book.section_id}/gradebook",
        json={"categories": [{"name": "All", "weight_ppm": 1_000_000}], "version": 0},
        headers=book.teacher,
    )
    assert r.status_code == 409
    gb = ok(await client.get(f"/api/v1/sections/{book.section_id}/gradebook", headers=book.teacher))
    assert [c["weight_ppm"] for c in gb["categories"]] == [400_000, 600_000]


async def test_a_closed_grading_period_is_locked_except_for_admins_with_a_reason(
    client: httpx.AsyncClient, demo: DemoSummary, database_url: str
) -> None:
    book = await make_book(client, demo, database_url)
    r = await client.post(
        f"/api/v1/sections/{book.section_id}/assessments",
        json={
            "title": "Old quiz",
            "category_id": str(book.homework),
            "grading_period_id": str(book.closed_period_id),
            "scheme_id": str(book.points_scheme),
            "max_points": "10",
        },
        headers=book.teacher,
    )
    assert r.status_code == 403
    assert "closed on" in r.json()["detail"]
    admin = await login(client, "admin@demo.test")
    admin_book = type(book)(**{**book.__dict__, "teacher": admin})
    old = await create_assessment(
        client,
        admin_book,
        "Old quiz",
        book.homework,
        "10",
        period=book.closed_period_id,
        reason="late entry of a paper quiz",
    )
    url = f"/api/v1/sections/{book.section_id}/results/batch"
    s1 = book.students[0]
    r = await client.post(url, json={"items": [item(old, s1, "8")]}, headers=book.teacher)
    assert r.status_code == 403
    assert r.json()["detail"].startswith("item 0: the grading period closed on")
    r = await client.post(url, json={"items": [item(old, s1, "8")]}, headers=admin)
    assert r.status_code == 422
    assert [e["loc"] for e in r.json()["errors"]] == [["reason"]]
    ok(
        await client.post(
            url, json={"items": [item(old, s1, "8")], "reason": "appeal"}, headers=admin
        )
    )
    r = await client.post(f"/api/v1/assessments/{old}/publications", json={}, headers=book.teacher)
    assert r.status_code == 403
    history = ok(await client.get(f"/api/v1/assessments/{old}/history", headers=book.teacher))
    assert [(h["reason"], h["actor_name"]) for h in history["items"]] == [("appeal", "Alex Admin")]


async def test_a_publish_retried_with_the_same_key_publishes_once(
    client: httpx.AsyncClient, demo: DemoSummary, database_url: str
) -> None:
    book = await make_book(client, demo, database_url)
    ok(
        await client.post(
            f"/api/v1/sections/{book.section_id}/results/batch",
            json={"items": [item(book.homework1, s, "9") for s in book.students]},
            headers=book.teacher,
        )
    )
    url = f"/api/v1/assessments/{book.homework1}/publications"
    key = {"Idempotency-Key": "publish-hw1-001", **book.teacher}
    first = ok(await client.post(url, json={"scope": "all"}, headers=key), 201)
    again = ok(await client.post(url, json={"scope": "all"}, headers=key), 201)
    assert again == first
    assert len(first["changes"]) == len(book.students)
    other = await client.post(url, json={"scope": "graded"}, headers=key)
    assert other.status_code == 422
    pubs = ok(await client.get(url, headers=book.teacher))
    assert pubs["total"] == 1
    events = await outbox(database_url, f"user.{demo.student1_id}", "grades.published")
    assert len(events) == 1
