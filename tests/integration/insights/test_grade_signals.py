"""Grade indicators: a publication that takes a course total below the failing threshold, or
down since the previous publication, raises a signal with its evidence on the counsellor's
socket, live; missing work counts by the institution's threshold."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI

from tests.integration.attendance.helpers import SCHOOL_ZONE, School, Socket
from tests.integration.grades.helpers import item, make_book
from tests.integration.insights.helpers import drain_jobs, grade_and_publish, make_counsellor
from tests.roster import login


def signal(student: Any, indicator: str, level: str) -> Any:
    def match(frame: dict[str, Any]) -> bool:
        return (
            frame.get("op") == "event"
            and frame["type"] == "insights.signal_changed"
            and frame["data"]["student_id"] == str(student)
            and frame["data"]["indicator"] == indicator
            and frame["data"]["level"] == level
        )

    return match


async def signals_of(
    client: httpx.AsyncClient, auth: dict[str, str], student: Any
) -> dict[str, Any]:
    r = await client.get(
        "/api/v1/insights/signals", params={"student_id": str(student)}, headers=auth
    )
    assert r.status_code == 200, r.text
    return {s["indicator"]: s for s in r.json()["items"]}


async def test_a_falling_course_total_raises_failing_and_drop_signals_live_with_evidence(
    client: httpx.AsyncClient,
    live_server: object,
    school: School,
    app: FastAPI,
    database_url: str,
) -> None:
    counsellor = await make_counsellor(client, school)
    book = await make_book(client, school.demo, database_url)
    student = school.demo.student1_id
    # 0.4 × 90 + 0.6 × 80 = 84 %: nothing to say.
    await grade_and_publish(
        client, book, student, [item(book.homework1, student, "9"), item(book.test1, student, "40")]
    )
    await drain_jobs(app)
    first = await signals_of(client, counsellor, student)
    assert {k: v["level"] for k, v in first.items()} == {
        "course_failing": "none",
        "grade_drop": "none",
        "missing_work": "none",
    }
    ws = await Socket.open(live_server.ws_url, counsellor)  # type: ignore[attr-defined]
    try:
        assert (await ws.subscribe(f"insights.school.{school.demo.school_ids[0]}"))["ok"]
        # The test is marked again: 0.4 × 90 + 0.6 × 20 = 48 %, down 36 points.
        await grade_and_publish(client, book, student, [item(book.test1, student, "10")])
        await drain_jobs(app)
        failing = await ws.until(signal(student, "course_failing", "alert"))
        title = failing["data"]["evidence"].split(" total ")[0]
        assert failing["data"]["evidence"] == f"{title} total 48 % (below 60 %)"
        assert failing["data"]["links"] == [
            {
                "rel": "grades",
                "href": f"/api/v1/sections/{book.section_id}/students/{student}/grades",
            }
        ]
        dropped = await ws.until(signal(student, "grade_drop", "alert"))
        today = school.clock.now().astimezone(SCHOOL_ZONE).date()
        assert dropped["data"]["evidence"] == (
            f"{title} total 48 %, down 36 points since {today.day} {today:%b}"
        )
        # Only the student whose grades changed was recomputed: a classmate has no signal.
        classmate = next(s for s in book.students if s != student)
        assert await signals_of(client, counsellor, classmate) == {}

        # One missing homework: an alert once the institution counts one as enough.
        await grade_and_publish(
            client, book, student, [item(book.homework1, student, None, flags=["missing"])]
        )
        await drain_jobs(app)
        now = await signals_of(client, counsellor, student)
        assert now["missing_work"]["level"] == "none"
        assert now["missing_work"]["evidence"] == f"1 piece of work missing: {title} 1"
        admin = await login(client, "admin@demo.test")
        r = await client.put("/api/v1/insights/thresholds", json={"missing_work": 1}, headers=admin)
        assert r.status_code == 200, r.text
        await drain_jobs(app)
        missing = await ws.until(signal(student, "missing_work", "alert"))
        assert missing["data"]["links"] == [
            {"rel": "assessment", "href": f"/api/v1/assessments/{book.homework1}"}
        ]
    finally:
        await ws.close()
