"""Sessions made on demand: dated by the school's calendar, listed under that date."""

from __future__ import annotations

from datetime import timedelta

import httpx

from tests.integration.attendance.helpers import SCHOOL_ZONE, School, school_time
from tests.roster import login


async def test_an_evening_session_is_dated_by_the_schools_calendar_not_by_utc(
    client: httpx.AsyncClient, school: School
) -> None:
    officer = await login(client, "officer@demo.test")
    starts = school_time(20, 30)  # 20:30 in New York is already the next day in UTC
    local_day = starts.astimezone(SCHOOL_ZONE).date()
    assert starts.date() != local_day
    made = await client.post(
        "/api/v1/attendance/sessions",
        json={
            "section_id": str(school.s01),
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(minutes=45)).isoformat(),
        },
        headers=officer,
    )
    assert made.status_code == 201, made.text
    assert made.json()["day"] == local_day.isoformat()
    listed = await client.get(
        "/api/v1/attendance/sessions",
        params={"section_id": str(school.s01), "date": local_day.isoformat()},
        headers=officer,
    )
    assert made.json()["id"] in {s["id"] for s in listed.json()["items"]}
    utc_day = await client.get(
        "/api/v1/attendance/sessions",
        params={"section_id": str(school.s01), "date": starts.date().isoformat()},
        headers=officer,
    )
    assert made.json()["id"] not in {s["id"] for s in utc_day.json()["items"]}


async def test_planning_a_range_gives_each_days_sessions_the_students_enrolled_that_day(
    client: httpx.AsyncClient, school: School
) -> None:
    admin = await login(client, "admin@demo.test")
    student = str(school.person("student1@demo.test"))
    enrollments = await client.get(
        "/api/v1/enrollments",
        params={"section_id": str(school.s01), "role": "student"},
        headers=admin,
    )
    (enrollment,) = [e for e in enrollments.json()["items"] if e["person_id"] == student]
    first = school.clock.now().date() + timedelta(days=1)
    leaves_on = first + timedelta(days=5)  # any five days hold school days on either side
    ended = await client.post(
        f"/api/v1/enrollments/{enrollment['id']}/end",
        json={"ends_on": leaves_on.isoformat()},
        headers=admin,
    )
    assert ended.status_code == 200, ended.text

    planned = await client.post(
        "/api/v1/attendance/sessions/plan",
        json={
            "first": first.isoformat(),
            "last": (first + timedelta(days=9)).isoformat(),
            "section_ids": [str(school.s01)],
        },
        headers=admin,
    )
    assert planned.status_code == 201, planned.text
    on_roster: dict[bool, set[bool]] = {True: set(), False: set()}  # enrolled that day → ?
    for session_id in planned.json()["created"]:
        board = (
            await client.get(f"/api/v1/attendance/sessions/{session_id}/board", headers=admin)
        ).json()
        enrolled = board["session"]["day"] < leaves_on.isoformat()
        on_roster[enrolled].add(student in {m["student_id"] for m in board["marks"]})
    assert on_roster == {True: {True}, False: {False}}


async def test_a_second_session_of_the_section_at_the_same_start_is_a_conflict(
    client: httpx.AsyncClient, school: School
) -> None:
    """The same section cannot meet twice from the same minute: 409 problem, nothing added."""
    officer = await login(client, "officer@demo.test")
    starts = school_time(19, 0)
    body = {
        "section_id": str(school.s01),
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(minutes=45)).isoformat(),
    }
    first = await client.post("/api/v1/attendance/sessions", json=body, headers=officer)
    assert first.status_code == 201, first.text
    again = await client.post("/api/v1/attendance/sessions", json=body, headers=officer)
    assert again.status_code == 409, again.text
    assert again.headers["content-type"].startswith("application/problem+json")
    assert again.json()["code"] == "conflict"
    day = first.json()["day"]
    listed = await client.get(
        "/api/v1/attendance/sessions",
        params={"section_id": str(school.s01), "date": day},
        headers=officer,
    )
    same = [s for s in listed.json()["items"] if s["starts_at"] == first.json()["starts_at"]]
    assert [s["id"] for s in same] == [first.json()["id"]]
