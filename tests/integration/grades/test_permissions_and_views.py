"""Who may see and change what: students only their own, guardians by flag, tenants apart."""

from __future__ import annotations

import csv
import io

import httpx

from edtech.demo import DemoSummary, OtherSummary
from tests.integration.grades.helpers import item, make_book, ok
from tests.roster import login


async def _grade_and_publish(client: httpx.AsyncClient, book, students) -> None:  # type: ignore[no-untyped-def]
    ok(
        await client.post(
            f"/api/v1/sections/{book.section_id}/results/batch",
            json={"items": [item(book.homework1, s, "9") for s in students]},
            headers=book.teacher,
        )
    )
    ok(
        await client.post(
            f"/api/v1/assessments/{book.homework1}/publications", json={}, headers=book.teacher
        ),
        201,
    )


async def test_students_see_only_their_own_and_guardians_need_the_grades_right(
    client: httpx.AsyncClient, demo: DemoSummary, database_url: str
) -> None:
    book = await make_book(client, demo, database_url)
    student3 = demo.person("student3@demo.test")
    assert student3 in book.students
    await _grade_and_publish(client, book, book.students)
    section = f"/api/v1/sections/{book.section_id}"
    student1 = await login(client, "student1@demo.test")
    own = ok(await client.get(f"{section}/students/{demo.student1_id}/grades", headers=student1))
    assert own["total"]["percent"] == "90.0"
    overview = ok(await client.get(f"/api/v1/students/{demo.student1_id}/grades", headers=student1))
    assert [s["section_id"] for s in overview["sections"]] == [str(book.section_id)]
    for url in (
        f"{section}/students/{student3}/grades",
        f"/api/v1/students/{student3}/grades",
        f"{section}/gradebook/grid",
        f"{section}/gradebook",
        f"{section}/gradebook.csv",
        f"/api/v1/assessments/{book.homework1}/history",
        f"/api/v1/assessments/{book.homework1}/publications",
    ):
        assert (await client.get(url, headers=student1)).status_code == 403, url
    r = await client.post(
        f"{section}/results/batch",
        json={"items": [item(book.homework1, demo.student1_id, "10")]},
        headers=student1,
    )
    assert r.status_code == 403
    r = await client.post(
        f"/api/v1/assessments/{book.homework1}/publications", json={}, headers=student1
    )
    assert r.status_code == 403

    guardian3 = await login(client, "guardian3@demo.test")  # grandparent: no grades right
    r = await client.get(f"{section}/students/{student3}/grades", headers=guardian3)
    assert r.status_code == 403
    guardian2 = await login(client, "guardian2@demo.test")  # custody restriction
    r = await client.get(
        f"/api/v1/students/{demo.person('student2@demo.test')}/grades", headers=guardian2
    )
    assert r.status_code == 403
    guardian1 = await login(client, "guardian1@demo.test")
    assert (
        await client.get(f"{section}/students/{student3}/grades", headers=guardian1)
    ).status_code == 403


async def test_another_tenant_sees_nothing_and_its_ids_are_unknown_here(
    client: httpx.AsyncClient,
    demo: DemoSummary,
    other_institution: OtherSummary,
    database_url: str,
) -> None:
    book = await make_book(client, demo, database_url)
    await _grade_and_publish(client, book, book.students)
    other_teacher = await login(client, "teacher@other.test")
    for url in (
        f"/api/v1/sections/{book.section_id}/gradebook",
        f"/api/v1/sections/{book.section_id}/gradebook/grid",
        f"/api/v1/sections/{book.section_id}/students/{demo.student1_id}/grades",
        f"/api/v1/students/{demo.student1_id}/grades",
        f"/api/v1/assessments/{book.homework1}",
        f"/api/v1/assessments/{book.homework1}/history",
        f"/api/v1/grade-schemes/{book.points_scheme}",
    ):
        r = await client.get(url, headers=other_teacher)
        assert r.status_code == 404, (url, r.text)
    r = await client.post(
        f"/api/v1/assessments/{book.homework1}/publications", json={}, headers=other_teacher
    )
    assert r.status_code == 404
    r = await client.post(
        f"/api/v1/sections/{book.section_id}/results/batch",
        json={"items": [item(book.homework1, demo.student1_id, "1")]},
        headers=other_teacher,
    )
    assert r.status_code == 404
    schemes = ok(await client.get("/api/v1/grade-schemes", headers=other_teacher))
    assert schemes["total"] == 0
    # and our teacher cannot grade the other tenant's student in our section
    r = await client.post(
        f"/api/v1/sections/{book.section_id}/results/batch",
        json={"items": [item(book.homework1, other_institution.student_id, "1")]},
        headers=book.teacher,
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["items", 0, "student_id"]


async def test_grid_pages_and_filters_and_csv_exports_the_gradebook(
    client: httpx.AsyncClient, demo: DemoSummary, database_url: str
) -> None:
    book = await make_book(client, demo, database_url)
    s1, s2 = book.students[0], book.students[1]
    ok(
        await client.post(
            f"/api/v1/sections/{book.section_id}/results/batch",
            json={
                "items": [
                    item(book.homework1, s1, "9", comment="=HYPERLINK(evil)"),
                    item(book.homework1, s2, None, flags=["missing"]),
                ]
            },
            headers=book.teacher,
        )
    )
    section = f"/api/v1/sections/{book.section_id}"
    page = ok(await client.get(f"{section}/gradebook/grid?limit=1", headers=book.teacher))
    assert page["total"] == len(book.students)
    assert len(page["items"]) == 1
    assert page["next"] is not None
    assert [a["title"] for a in page["assessments"]] == ["Homework 1", "Test 1"]
    missing = ok(await client.get(f"{section}/gradebook/grid?flag=missing", headers=book.teacher))
    assert [r["student_id"] for r in missing["items"]] == [str(s2)]
    assert missing["items"][0]["teacher_total"] == "0.0"
    assert missing["items"][0]["published_total"] is None
    filtered = ok(
        await client.get(
            f"{section}/gradebook/grid?category_id={book.tests}&unpublished=true",
            headers=book.teacher,
        )
    )
    assert filtered["total"] == 0
    assert [a["title"] for a in filtered["assessments"]] == ["Test 1"]

    r = await client.get(f"{section}/gradebook.csv", headers=book.teacher)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0][:5] == [
        "student_id",
        "student",
        "Homework 1 (max 10) draft",
        "Homework 1 published",
        "Homework 1 flags",
    ]
    by_id = {row[0]: row for row in rows[1:]}
    assert len(by_id) == len(book.students)
    assert by_id[str(s1)][2] == "9"
    assert by_id[str(s1)][-2] == "90.0"
    assert by_id[str(s2)][4] == "missing"
    assert "HYPERLINK" not in r.text  # comments are not exported; nothing runs as a formula
