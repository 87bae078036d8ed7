"""Helpers of the insights tests: run the deferred jobs, a counsellor, four days of attendance,
student1's signal event, grades entered and published."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from edtech.attendance.public import close_due_sessions
from edtech.platform.jobs import JobRunner
from tests.integration.attendance.helpers import SCHOOL_ZONE, School
from tests.integration.grades.helpers import Book, ok
from tests.roster import login


async def drain_jobs(app: FastAPI) -> int:
    runner = app.state.services.components.get(JobRunner)
    ran = 0
    while await runner.run_once():
        ran += 1
    return ran


async def make_counsellor(client: httpx.AsyncClient, school: School) -> dict[str, str]:
    """teacher4 also counsels at the first school."""
    admin = await login(client, "admin@demo.test")
    r = await client.post(
        f"/api/v1/people/{school.person('teacher4@demo.test')}/roles",
        json={"role": "counsellor", "school_id": str(school.demo.school_ids[0])},
        headers=admin,
    )
    assert r.status_code == 201, r.text
    return await login(client, "teacher4@demo.test")


async def four_present_days(client: httpx.AsyncClient, school: School, app: FastAPI) -> None:
    """The four days before today: S01 and S02 met, everyone present, closed."""
    officer = await login(client, "officer@demo.test")
    today = school.clock.now().astimezone(SCHOOL_ZONE).date()
    r = await client.post(
        "/api/v1/attendance/sessions/plan",
        json={
            "first": (today - timedelta(days=4)).isoformat(),
            "last": (today - timedelta(days=1)).isoformat(),
            "section_ids": [str(s) for s in school.demo.section_ids[:2]],
        },
        headers=officer,
    )
    assert r.status_code == 201, r.text
    assert len(r.json()["created"]) == 8
    for session_id in r.json()["created"]:
        done = await client.post(
            f"/api/v1/attendance/sessions/{session_id}/mark-all-present", headers=officer
        )
        assert done.status_code == 200, done.text
    assert await close_due_sessions(app.state.services) == 8


async def four_days_and_an_absence(client: httpx.AsyncClient, school: School, app: FastAPI) -> None:
    """Four days present in S01 and S02; today S01 ends (08:45) with nobody scanned."""
    await four_present_days(client, school, app)
    school.clock.advance(timedelta(minutes=30))
    assert await close_due_sessions(app.state.services) >= 1


def student_event(school: School, level: str) -> Any:
    student1 = str(school.person("student1@demo.test"))

    def match(frame: dict[str, Any]) -> bool:
        return (
            frame.get("op") == "event"
            and frame["type"] == "insights.signal_changed"
            and frame["data"]["student_id"] == student1
            and frame["data"]["level"] == level
        )

    return match


async def grade_and_publish(
    client: httpx.AsyncClient, book: Book, student: Any, items: list[dict[str, Any]]
) -> None:
    ok(
        await client.post(
            f"/api/v1/sections/{book.section_id}/results/batch",
            json={"items": items},
            headers=book.teacher,
        )
    )
    for assessment in {i["assessment_id"] for i in items}:
        ok(
            await client.post(
                f"/api/v1/assessments/{assessment}/publications",
                json=(
                    {"scope": "all"}
                    if student is None
                    else {"scope": "students", "student_ids": [str(student)]}
                ),
                headers=book.teacher,
            ),
            201,
        )
