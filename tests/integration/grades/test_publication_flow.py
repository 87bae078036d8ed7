"""Acceptance: batch-grade, publish, and who sees what (REST and committed channel events)."""

from __future__ import annotations

import httpx

from edtech.demo import DemoSummary
from tests.integration.grades.helpers import item, make_book, ok, outbox
from tests.roster import login


async def test_teacher_batch_grades_publishes_and_entitled_guardians_are_told(
    client: httpx.AsyncClient, demo: DemoSummary, database_url: str
) -> None:
    book = await make_book(client, demo, database_url)
    student1 = demo.student1_id
    assert student1 in book.students
    items = [item(book.homework1, s, "9") for s in book.students]
    items += [item(book.test1, s, "40") for s in book.students]
    done = ok(
        await client.post(
            f"/api/v1/sections/{book.section_id}/results/batch",
            json={"items": items},
            headers=book.teacher,
        )
    )
    assert len(done["items"]) == 2 * len(book.students)
    assert all(i["changed"] for i in done["items"])
    assert done["publications"] == []

    pub = ok(
        await client.post(
            f"/api/v1/assessments/{book.homework1}/publications",
            json={"scope": "all"},
            headers=book.teacher,
        ),
        201,
    )
    assert len(pub["changes"]) == len(book.students)
    assert pub["changes"][0]["summary"] == ["first published"]

    events = await outbox(database_url, f"user.{demo.guardian1_id}", "grades.published")
    assert len(events) == 1
    data = events[0][2]
    assert data["student_id"] == str(student1)
    assert data["result"]["points"] == "9"
    assert data["total"]["percent"] == "90.0"
    assert data["total"]["text"] == "90.0 % = (0.4 × Homework 90.0) ÷ 0.4 → A"
    assert "recipients" not in data
    assert len(await outbox(database_url, f"user.{student1}", "grades.published")) == 1
    guardian3 = demo.person("guardian3@demo.test")
    guardian2 = demo.person("guardian2@demo.test")
    assert await outbox(database_url, f"user.{guardian3}") == []
    assert await outbox(database_url, f"user.{guardian2}") == []
    section_events = await outbox(database_url, f"grades.section.{book.section_id}")
    types = [e[1] for e in section_events]
    assert types.count("grades.cell_changed") == len(items)
    assert types[-1] == "grades.assessment_published"

    guardian = await login(client, "guardian1@demo.test")
    seen = ok(
        await client.get(
            f"/api/v1/sections/{book.section_id}/students/{student1}/grades", headers=guardian
        )
    )
    assert [r["title"] for r in seen["results"]] == ["Homework 1"]
    assert seen["results"][0]["draft"] is None
    assert seen["total"]["percent"] == "90.0"
    assert seen["teacher_total"] is None


async def test_drafts_are_invisible_to_students_and_guardians_before_publication(
    client: httpx.AsyncClient, demo: DemoSummary, database_url: str
) -> None:
    book = await make_book(client, demo, database_url)
    student1 = demo.student1_id
    ok(
        await client.post(
            f"/api/v1/sections/{book.section_id}/results/batch",
            json={"items": [item(book.homework1, student1, "7", comment="see me")]},
            headers=book.teacher,
        )
    )
    for who in ("student1@demo.test", "guardian1@demo.test"):
        headers = await login(client, who)
        seen = ok(
            await client.get(
                f"/api/v1/sections/{book.section_id}/students/{student1}/grades", headers=headers
            )
        )
        assert seen["results"] == []
        assert seen["total"]["percent"] is None
        assert "see me" not in str(seen)
        overview = ok(await client.get(f"/api/v1/students/{student1}/grades", headers=headers))
        assert overview["sections"] == []
        teacher_view = await client.get(
            f"/api/v1/sections/{book.section_id}/students/{student1}/grades?view=teacher",
            headers=headers,
        )
        assert teacher_view.status_code == 403
    assert await outbox(database_url, "user.") == []


async def test_teacher_and_student_totals_differ_exactly_by_the_unpublished_drafts(
    client: httpx.AsyncClient, demo: DemoSummary, database_url: str
) -> None:
    book = await make_book(client, demo, database_url)
    student1 = demo.student1_id
    ok(
        await client.post(
            f"/api/v1/sections/{book.section_id}/results/batch",
            json={
                "items": [
                    item(book.homework1, student1, "8"),
                    item(book.test1, student1, "30"),
                ]
            },
            headers=book.teacher,
        )
    )
    ok(
        await client.post(
            f"/api/v1/assessments/{book.homework1}/publications",
            json={"scope": "graded"},
            headers=book.teacher,
        ),
        201,
    )
    url = f"/api/v1/sections/{book.section_id}/students/{student1}/grades"
    view = ok(await client.get(f"{url}?view=teacher", headers=book.teacher))
    assert view["total"]["percent"] == "80.0"
    assert view["total"]["text"] == "80.0 % = (0.4 × Homework 80.0) ÷ 0.4 → B"
    # 0.4 × 80 + 0.6 × 60 = 68
    assert view["teacher_total"]["percent"] == "68.0"
    assert view["teacher_total"]["text"] == "68.0 % = 0.4 × Homework 80.0 + 0.6 × Tests 60.0 → D"
    tests_line = view["total"]["categories"][1]["assessments"][0]
    assert tests_line["status"] == "not_graded"
    student = await login(client, "student1@demo.test")
    assert ok(await client.get(url, headers=student))["total"] == view["total"]

    ok(
        await client.post(
            f"/api/v1/assessments/{book.test1}/publications",
            json={"scope": "students", "student_ids": [str(student1)]},
            headers=book.teacher,
        ),
        201,
    )
    view = ok(await client.get(f"{url}?view=teacher", headers=book.teacher))
    assert view["total"] == view["teacher_total"]


async def test_changes_after_publication_are_audited_and_reported_by_the_next_publication(
    client: httpx.AsyncClient, demo: DemoSummary, database_url: str
) -> None:
    book = await make_book(client, demo, database_url)
    student1 = demo.student1_id
    cell = f"/api/v1/assessments/{book.homework1}/results/{student1}"
    first = ok(await client.put(cell, json={"value": "9", "version": 0}, headers=book.teacher))
    assert first["result"]["version"] == 1
    ok(
        await client.post(
            f"/api/v1/assessments/{book.homework1}/publications", json={}, headers=book.teacher
        ),
        201,
    )
    again = ok(
        await client.put(
            cell,
            json={"value": "7", "flags": ["late"], "version": 2, "reason": "late penalty"},
            headers=book.teacher,
        )
    )
    assert again["result"]["published"]["points"] == "9"
    assert again["result"]["draft"]["points"] == "7"
    assert again["result"]["unpublished_changes"] is True
    pub = ok(
        await client.post(
            f"/api/v1/assessments/{book.homework1}/publications", json={}, headers=book.teacher
        ),
        201,
    )
    assert [c["student_id"] for c in pub["changes"]] == [str(student1)]
    assert pub["changes"][0]["summary"] == ["score 9 → 7", "flagged late"]
    assert pub["changes"][0]["before"]["points"] == "9"

    history = ok(
        await client.get(
            f"/api/v1/assessments/{book.homework1}/history?student_id={student1}",
            headers=book.teacher,
        )
    )["items"]
    assert [
        (h["field"], h["before"] and h["before"]["points"], h["after"]["points"]) for h in history
    ] == [
        ("draft", None, "9"),
        ("published", None, "9"),
        ("draft", "9", "7"),
        ("published", "9", "7"),
    ]
    assert history[2]["reason"] == "late penalty"
    assert history[2]["actor_id"] == str(demo.teacher1_id)
    assert history[3]["publication_id"] == pub["id"]

    events = await outbox(database_url, f"user.{demo.guardian1_id}", "grades.published")
    assert [e[2]["changes"] for e in events] == [
        ["first published"],
        ["score 9 → 7", "flagged late"],
    ]
    pubs = ok(
        await client.get(f"/api/v1/assessments/{book.homework1}/publications", headers=book.teacher)
    )
    assert pubs["total"] == 2
    assert pubs["items"][0]["id"] == pub["id"]


async def test_automatic_post_policy_publishes_on_entry(
    client: httpx.AsyncClient, demo: DemoSummary, database_url: str
) -> None:
    from tests.integration.grades.helpers import create_assessment

    book = await make_book(client, demo, database_url)
    quiz = await create_assessment(
        client, book, "Pop quiz", book.homework, "5", post_policy="automatic"
    )
    done = ok(
        await client.post(
            f"/api/v1/sections/{book.section_id}/results/batch",
            json={
                "items": [
                    item(quiz, demo.student1_id, "5"),
                    item(book.homework1, demo.student1_id, "2"),
                ]
            },
            headers=book.teacher,
        )
    )
    (publication,) = done["publications"]
    assert publication["assessment_id"] == str(quiz)
    assert done["items"][0]["result"]["published"]["points"] == "5"
    assert done["items"][1]["result"]["published"] is None
    events = await outbox(database_url, f"user.{demo.student1_id}", "grades.published")
    assert [e[2]["assessment_id"] for e in events] == [str(quiz)]
