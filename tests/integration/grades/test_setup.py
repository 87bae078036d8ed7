"""Schemes, gradebook configuration and assessments through the API."""

from __future__ import annotations

import uuid

import httpx

from edtech.demo import DemoSummary
from tests.integration.grades.helpers import item, make_book, ok
from tests.roster import login


async def test_schemes_are_validated_unique_and_only_for_staff(
    client: httpx.AsyncClient, demo: DemoSummary, database_url: str
) -> None:
    book = await make_book(client, demo, database_url)
    r = await client.post(
        "/api/v1/grade-schemes",
        json={
            "name": "Bad",
            "kind": "letter",
            "bands": [{"letter": "A", "min_percent": 80}, {"letter": "B", "min_percent": 85}],
        },
        headers=book.teacher,
    )
    assert r.status_code == 422
    locs = [e["loc"] for e in r.json()["errors"]]
    assert ["bands", 1, "min_percent"] in locs
    r = await client.post(
        "/api/v1/grade-schemes", json={"name": "points", "kind": "points"}, headers=book.teacher
    )
    assert r.status_code == 409
    r = await client.post(
        "/api/v1/grade-schemes",
        json={"name": "P/F", "kind": "pass_fail", "pass_percent": "60"},
        headers=book.teacher,
    )
    assert ok(r, 201)["pass_percent"] == "60"
    student = await login(client, "student1@demo.test")
    r = await client.post(
        "/api/v1/grade-schemes", json={"name": "Mine", "kind": "points"}, headers=student
    )
    assert r.status_code == 403
    listed = ok(await client.get("/api/v1/grade-schemes?kind=letter", headers=book.teacher))
    assert [s["name"] for s in listed["items"]] == ["A-F"]


async def test_assessments_need_a_category_of_the_gradebook_and_change_by_version(
    client: httpx.AsyncClient, demo: DemoSummary, database_url: str
) -> None:
    book = await make_book(client, demo, database_url)
    other_section = demo.section_ids[1]
    r = await client.post(
        f"/api/v1/sections/{other_section}/assessments",
        json={
            "title": "Quiz",
            "category_id": str(book.homework),
            "grading_period_id": str(book.period_id),
            "scheme_id": str(book.points_scheme),
            "max_points": "10",
        },
        headers=await login(client, "admin@demo.test"),
    )
    assert r.status_code == 422  # that section's gradebook is not configured
    r = await client.post(
        f"/api/v1/sections/{book.section_id}/assessments",
        json={
            "title": " ",
            "category_id": str(uuid.uuid4()),
            "grading_period_id": str(uuid.uuid4()),
            "scheme_id": str(uuid.uuid4()),
            "max_points": "0",
        },
        headers=book.teacher,
    )
    assert r.status_code == 422
    assert {tuple(e["loc"]) for e in r.json()["errors"]} == {
        ("title",),
        ("max_points",),
        ("category_id",),
        ("scheme_id",),
        ("grading_period_id",),
    }
    url = f"/api/v1/assessments/{book.homework1}"
    changed = ok(
        await client.patch(
            url,
            json={"title": "Homework 1 (fractions)", "post_policy": "automatic", "version": 1},
            headers=book.teacher,
        )
    )
    assert (changed["title"], changed["post_policy"], changed["version"]) == (
        "Homework 1 (fractions)",
        "automatic",
        2,
    )
    assert (
        await client.patch(url, json={"title": "x", "version": 1}, headers=book.teacher)
    ).status_code == 409
    assert (await client.patch(url, json={"title": None}, headers=book.teacher)).status_code == 422
    done = ok(
        await client.post(
            f"/api/v1/sections/{book.section_id}/results/batch",
            json={"items": [item(book.homework1, demo.student1_id, "10")]},
            headers=book.teacher,
        )
    )
    assert len(done["publications"]) == 1
    listed = ok(
        await client.get(
            f"/api/v1/sections/{book.section_id}/assessments?category_id={book.tests}",
            headers=book.teacher,
        )
    )
    assert [a["title"] for a in listed["items"]] == ["Test 1"]
