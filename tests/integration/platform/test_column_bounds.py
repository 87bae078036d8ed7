"""Inputs as long as their columns hold: what PostgreSQL refused at the insert (a 500) is a
422 at the edge, or kept within the column, on both dialects (SQLite stores any length).

Found by comparing every string and decimal field of the OpenAPI document with its column.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from edtech.demo import DemoSummary
from tests.integration.grades.helpers import make_book
from tests.roster import login


def _refused(r: httpx.Response, *loc: str | int) -> None:
    assert r.status_code == 422, f"{r.request.method} {r.request.url.path}: {r.text}"
    body: dict[str, Any] = r.json()
    assert any(tuple(e["loc"][-len(loc) :]) == loc for e in body["errors"]), body


async def test_a_grade_level_and_a_relationship_fit_their_columns(
    client: httpx.AsyncClient, demo: DemoSummary
) -> None:
    admin = await login(client, "admin@demo.test")
    person = {"given_name": "A", "family_name": "B"}
    r = await client.post("/api/v1/people", json={**person, "grade_level": "G" * 17}, headers=admin)
    _refused(r, "body", "grade_level")
    r = await client.patch(
        f"/api/v1/people/{demo.student1_id}", json={"grade_level": "G" * 17}, headers=admin
    )
    _refused(r, "body", "grade_level")
    r = await client.post("/api/v1/people", json={**person, "grade_level": "G" * 16}, headers=admin)
    assert (r.status_code, r.json()["grade_level"]) == (201, "G" * 16), r.text

    guardian = {"given_name": "Gu", "family_name": "Ard", "roles": [{"role": "guardian"}]}
    guardian_id = (await client.post("/api/v1/people", json=guardian, headers=admin)).json()["id"]
    link = {"student_id": str(demo.student1_id), "guardian_id": guardian_id}
    r = await client.post(
        "/api/v1/guardian-links", json={**link, "relationship": "r" * 33}, headers=admin
    )
    _refused(r, "body", "relationship")
    r = await client.post(
        "/api/v1/guardian-links", json={**link, "relationship": "r" * 32}, headers=admin
    )
    assert r.status_code == 201, r.text
    r = await client.patch(
        f"/api/v1/guardian-links/{r.json()['id']}", json={"relationship": "r" * 33}, headers=admin
    )
    _refused(r, "body", "relationship")


async def test_a_currency_or_a_locale_with_a_final_newline_is_refused(
    client: httpx.AsyncClient, demo: DemoSummary
) -> None:
    admin = await login(client, "admin@demo.test")
    for field, value in (("currency", "EUR\n"), ("locale", "en-US\n")):
        r = await client.patch("/api/v1/institutions/me", json={field: value}, headers=admin)
        _refused(r, field)
    me = (await client.get("/api/v1/institutions/me", headers=admin)).json()
    assert "\n" not in me["currency"] + me["locale"]


async def test_a_pass_mark_has_at_most_four_decimal_places(
    client: httpx.AsyncClient, demo: DemoSummary
) -> None:
    teacher = await login(client, "teacher1@demo.test")
    scheme = {"name": "PF", "kind": "pass_fail"}
    r = await client.post(
        "/api/v1/grade-schemes", json={**scheme, "pass_percent": "50." + "0" * 45}, headers=teacher
    )
    _refused(r, "pass_percent")
    r = await client.post(
        "/api/v1/grade-schemes", json={**scheme, "pass_percent": "50.1234"}, headers=teacher
    )
    assert (r.status_code, r.json()["pass_percent"]) == (201, "50.1234"), r.text


async def test_a_teacher_with_the_longest_names_publishes_and_is_named_within_the_column(
    client: httpx.AsyncClient, demo: DemoSummary, database_url: str
) -> None:
    """Given and family names of 100 characters each make a 201-character name: the history
    kept it cut by PostgreSQL's cast on one dialect and whole on the other, and the
    publication's insert failed (a 500)."""
    admin = await login(client, "admin@demo.test")
    long_name = {"given_name": "G" * 100, "family_name": "F" * 100}
    r = await client.patch(f"/api/v1/people/{demo.teacher1_id}", json=long_name, headers=admin)
    assert r.status_code == 200, r.text
    book = await make_book(client, demo, database_url)
    student = book.students[0]
    r = await client.put(
        f"/api/v1/assessments/{book.homework1}/results/{student}",
        json={"value": "8", "version": 0},
        headers=book.teacher,
    )
    assert r.status_code == 200, r.text
    r = await client.post(
        f"/api/v1/assessments/{book.homework1}/publications",
        json={"scope": "all"},
        headers={**book.teacher, "Idempotency-Key": str(uuid.uuid4())},
    )
    assert r.status_code == 201, r.text
    name = "G" * 100 + " " + "F" * 98 + "…"
    assert r.json()["published_by_name"] == name
    r = await client.get(f"/api/v1/assessments/{book.homework1}/history", headers=book.teacher)
    assert r.status_code == 200, r.text
    assert {c["actor_name"] for c in r.json()["items"]} == {name}
