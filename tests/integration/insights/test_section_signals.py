"""A student's signal change reaches the teachers of every section the student is enrolled in
today, live on `insights.section.{id}`; a teacher of another section may neither subscribe nor
list it."""

from __future__ import annotations

from datetime import timedelta

import httpx
from fastapi import FastAPI

from edtech.attendance.public import close_due_sessions
from tests.integration.attendance.helpers import School, Socket
from tests.integration.insights.helpers import drain_jobs, four_present_days, student_event
from tests.roster import login


async def test_crossing_ten_percent_on_a_closing_reaches_the_teachers_of_the_students_sections(
    client: httpx.AsyncClient, live_server: object, school: School, app: FastAPI
) -> None:
    s01, s02, s03 = school.demo.section_ids[:3]
    student1 = str(school.person("student1@demo.test"))
    await four_present_days(client, school, app)
    await drain_jobs(app)  # 0 of 8 missed: no alert yet
    teacher1 = await login(client, "teacher1@demo.test")  # S01
    teacher2 = await login(client, "teacher2@demo.test")  # S02, student1's other section
    teacher3 = await login(client, "teacher3@demo.test")  # S03, at the other school
    url = live_server.ws_url  # type: ignore[attr-defined]
    first, second, other = (
        await Socket.open(url, teacher1),
        await Socket.open(url, teacher2),
        await Socket.open(url, teacher3),
    )
    try:
        assert (await first.subscribe(f"insights.section.{s01}"))["ok"]
        assert (await second.subscribe(f"insights.section.{s02}"))["ok"]
        refused = await other.subscribe(f"insights.section.{s01}")
        assert refused["ok"] is False, refused
        assert refused["error"]["code"] == "forbidden", refused
        assert (await other.subscribe(f"insights.section.{s03}"))["ok"]

        # S01 ends at 08:45 with student1 never scanned: 1 of 9 sessions missed, 11.1 %.
        school.clock.advance(timedelta(minutes=30))
        assert await close_due_sessions(app.state.services) >= 1
        await drain_jobs(app)
        raised = await first.until(student_event(school, "alert"))
        assert raised["channel"] == f"insights.section.{s01}"
        data = raised["data"]
        assert (data["indicator"], data["missed"], data["counted"]) == ("absence", 1, 9)
        assert data["section_ids"] == [str(s01)]  # not the student's other sections
        assert data["evidence"].endswith("(1 of 9)")
        also = await second.until(student_event(school, "alert"))
        assert also["channel"] == f"insights.section.{s02}"
        assert also["data"]["signal_id"] == data["signal_id"]
        assert also["data"]["section_ids"] == [str(s02)]
    finally:
        for ws in (first, second, other):
            await ws.close()

    # Over REST: the section's teacher lists it (by section too), the other section's does not.
    mine = await client.get(
        "/api/v1/insights/signals",
        params={"section_id": str(s01), "level": "alert"},
        headers=teacher1,
    )
    assert mine.status_code == 200, mine.text
    assert data["signal_id"] in {s["id"] for s in mine.json()["items"]}
    theirs = await client.get("/api/v1/insights/signals", headers=teacher3)
    assert theirs.status_code == 200, theirs.text
    assert student1 not in {s["student_id"] for s in theirs.json()["items"]}
    asked = await client.get(
        "/api/v1/insights/signals", params={"student_id": student1}, headers=teacher3
    )
    assert asked.status_code == 200, asked.text
    assert asked.json()["items"] == [], asked.text
    # The section filter narrows anyone's list to the section's students today.
    admin = await login(client, "admin@demo.test")
    for section, listed in ((s01, True), (s03, False)):
        r = await client.get(
            "/api/v1/insights/signals", params={"section_id": str(section)}, headers=admin
        )
        assert r.status_code == 200, r.text
        assert (student1 in {s["student_id"] for s in r.json()["items"]}) is listed, section
