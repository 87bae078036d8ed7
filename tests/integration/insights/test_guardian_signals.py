"""Guardians see their own children's signals only where the institution shares them (its
`guardians_see_signals` switch, kept with the thresholds), and never another child's; students
never see signals."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI

from tests.integration.attendance.helpers import School
from tests.integration.grades.helpers import item, make_book
from tests.integration.insights.helpers import (
    drain_jobs,
    four_days_and_an_absence,
    grade_and_publish,
)
from tests.roster import login

SIGNALS = "/api/v1/insights/signals"


async def _share(client: httpx.AsyncClient, on: bool) -> None:
    admin = await login(client, "admin@demo.test")
    r = await client.put(
        "/api/v1/insights/thresholds", json={"guardians_see_signals": on}, headers=admin
    )
    assert r.status_code == 200, r.text
    assert r.json()["guardians_see_signals"] is on
    assert r.json()["chronic_absence_percent"] == 10


def _students(r: httpx.Response) -> set[str]:
    assert r.status_code == 200, r.text
    return {s["student_id"] for s in r.json()["items"]}


async def test_a_guardian_sees_their_childs_signals_only_when_the_institution_shares_them(
    client: httpx.AsyncClient, school: School, app: FastAPI
) -> None:
    await four_days_and_an_absence(client, school, app)
    await drain_jobs(app)  # student1 and student3 (both in S01) absent today: 1 of 9
    student1 = str(school.person("student1@demo.test"))
    student3 = str(school.person("student3@demo.test"))
    guardian1 = await login(client, "guardian1@demo.test")
    guardian2 = await login(client, "guardian2@demo.test")  # custody order on student2
    student = await login(client, "student1@demo.test")

    # Off by default: a problem that says the institution does not share them.
    refused = await client.get(SIGNALS, headers=guardian1)
    assert refused.status_code == 403, refused.text
    problem: dict[str, Any] = refused.json()
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert problem["reason"] == "guardians_not_shared", problem
    assert "does not share" in problem["detail"], problem

    await _share(client, True)
    # Turning sharing on changes no level: nothing is recomputed.
    assert await drain_jobs(app) == 0
    mine = await client.get(SIGNALS, headers=guardian1)
    assert _students(mine) == {student1}
    levels = {s["indicator"]: s["level"] for s in mine.json()["items"]}
    assert levels["absence"] == "alert", levels
    own = await client.get(SIGNALS, params={"student_id": student1}, headers=guardian1)
    assert _students(own) == {student1}
    other = await client.get(SIGNALS, params={"student_id": student3}, headers=guardian1)
    assert other.status_code == 404, other.text
    # guardian2's only child is behind a custody order: nothing to see.
    assert _students(await client.get(SIGNALS, headers=guardian2)) == set()
    # Students never see signals, shared or not.
    assert (await client.get(SIGNALS, headers=student)).status_code == 403

    await _share(client, False)
    assert (await client.get(SIGNALS, headers=guardian1)).status_code == 403


async def test_a_guardian_without_the_grades_flag_sees_only_attendance_signals(
    client: httpx.AsyncClient, school: School, app: FastAPI, database_url: str
) -> None:
    """guardian3 may not see student3's grades: the grade signals stay hidden from them, while
    guardian1 sees both kinds for student1."""
    await four_days_and_an_absence(client, school, app)
    book = await make_book(client, school.demo, database_url)
    student1 = school.person("student1@demo.test")
    student3 = school.person("student3@demo.test")
    for student in (student1, student3):
        await grade_and_publish(client, book, student, [item(book.test1, student, "10")])
    await drain_jobs(app)
    await _share(client, True)
    attendance = {"absence", "consecutive_absence"}
    grades = {"course_failing", "grade_drop", "missing_work"}
    guardian1 = await login(client, "guardian1@demo.test")
    r = await client.get(SIGNALS, headers=guardian1)
    assert _students(r) == {str(student1)}
    assert {s["indicator"] for s in r.json()["items"]} == attendance | grades
    guardian3 = await login(client, "guardian3@demo.test")
    r = await client.get(SIGNALS, headers=guardian3)
    assert _students(r) == {str(student3)}
    assert {s["indicator"] for s in r.json()["items"]} == attendance
