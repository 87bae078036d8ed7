"""Attendance measures per school and section over REST and CSV: days, rates, chronic
absence, streaks, excused and unexcused apart, ADA/ADM; who may read them; school-time dates."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from edtech.attendance.public import close_due_sessions
from edtech.insights.infrastructure.measures import period_marks
from tests.integration.attendance.helpers import SCHOOL_ZONE, School, session_of
from tests.integration.insights.helpers import four_days_and_an_absence
from tests.roster import login

BASE = "/api/v1/insights/attendance"


def today(school: School) -> Any:
    return school.clock.now().astimezone(SCHOOL_ZONE).date()


async def test_a_schools_measures_count_days_rates_streaks_and_absences_apart(
    client: httpx.AsyncClient, school: School, app: FastAPI
) -> None:
    await four_days_and_an_absence(client, school, app)
    officer = await login(client, "officer@demo.test")
    student1 = str(school.person("student1@demo.test"))
    day = today(school)
    params = {"first": (day - timedelta(days=4)).isoformat(), "last": day.isoformat()}
    url = f"{BASE}/schools/{school.demo.school_ids[0]}"

    r = await client.get(url, params={**params, "student_id": student1}, headers=officer)
    assert r.status_code == 200, r.text
    [row] = r.json()["items"]
    # 4 days of two periods present, today one period (S01) absent: 4 of 5 days attended.
    assert {
        k: row[k]
        for k in (
            "days_enrolled",
            "days_attended",
            "days_absent",
            "attendance_percent",
            "chronic",
            "longest_absence_streak",
            "current_absence_streak",
            "sessions",
            "absences_excused",
            "absences_unexcused",
        )
    } == {
        "days_enrolled": 5,
        "days_attended": 4.0,
        "days_absent": 1.0,
        "attendance_percent": 80.0,
        "chronic": True,
        "longest_absence_streak": 1,
        "current_absence_streak": 1,
        "sessions": 9,
        "absences_excused": 0,
        "absences_unexcused": 1,
    }
    assert (row["first_day"], row["last_day"]) == (params["first"], params["last"])

    # An approved note excuses the absence: still a day missed (chronic absence counts
    # excused days), now an excused one.
    guardian = await login(client, "guardian1@demo.test")
    note = await client.post(
        "/api/v1/attendance/excuses",
        json={"student_id": student1, "starts_on": str(day), "ends_on": str(day), "reason": "Flu"},
        headers=guardian,
    )
    assert note.status_code == 201, note.text
    decided = await client.post(
        f"/api/v1/attendance/excuses/{note.json()['id']}/decision",
        json={"approve": True},
        headers=officer,
    )
    assert decided.status_code == 200, decided.text
    r = await client.get(url, params={**params, "student_id": student1}, headers=officer)
    [row] = r.json()["items"]
    assert (row["absences_excused"], row["absences_unexcused"], row["chronic"]) == (1, 0, True)

    # The whole school: ADM is students enrolled per day, ADA days attended per day.
    everyone = await client.get(url, params={**params, "limit": 200}, headers=officer)
    body = everyone.json()
    summary = body["summary"]
    assert summary["days"] == 5
    assert summary["students"] == body["total"] == len(body["items"])
    members = sum(i["days_enrolled"] for i in body["items"])
    attended = sum(i["days_attended"] for i in body["items"])
    assert summary["average_daily_membership"] == round(members / 5, 2)
    assert summary["average_daily_attendance"] == round(attended / 5, 2)
    assert summary["chronic_students"] == sum(1 for i in body["items"] if i["chronic"]) >= 1

    only_chronic = await client.get(url, params={**params, "chronic": "true"}, headers=officer)
    assert {i["chronic"] for i in only_chronic.json()["items"]} == {True}
    assert only_chronic.json()["total"] == summary["chronic_students"]

    # A stricter threshold (25 %): one day in five is no longer chronic.
    lenient = await client.get(
        url, params={**params, "student_id": student1, "chronic_percent": 25}, headers=officer
    )
    assert lenient.json()["items"][0]["chronic"] is False


async def test_measures_are_paginated_and_exported_as_csv(
    client: httpx.AsyncClient, school: School, app: FastAPI
) -> None:
    await four_days_and_an_absence(client, school, app)
    admin = await login(client, "admin@demo.test")
    day = today(school)
    params = {"first": (day - timedelta(days=4)).isoformat(), "last": day.isoformat()}
    url = f"{BASE}/sections/{school.s01}"
    first_page = await client.get(url, params={**params, "limit": 1}, headers=admin)
    assert first_page.status_code == 200, first_page.text
    body = first_page.json()
    assert body["total"] >= 2
    assert len(body["items"]) == 1
    assert body["next"] is not None
    second = await client.get(body["next"], headers=admin)
    assert second.json()["items"][0]["student_id"] != body["items"][0]["student_id"]

    exported = await client.get(url, params={**params, "format": "csv"}, headers=admin)
    assert exported.status_code == 200, exported.text
    assert exported.headers["content-type"] == "text/csv; charset=utf-8"
    assert (
        f"attendance-section-{school.s01}-{params['first']}-{params['last']}.csv"
        in (exported.headers["content-disposition"])
    )
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert len(rows) == body["total"]
    student1 = next(r for r in rows if r["student_id"] == str(school.person("student1@demo.test")))
    # The section counts its own sessions only: S01 met five days, the last one missed.
    assert (student1["days_enrolled"], student1["days_absent"], student1["sessions"]) == (
        "5",
        "1.0",
        "5",
    )


async def test_the_range_defaults_to_the_thirty_days_to_today_at_the_school(
    client: httpx.AsyncClient, school: School
) -> None:
    # 21:20 in New York is already tomorrow in UTC: "today" is still New York's day.
    school.clock.advance(timedelta(hours=13))
    assert school.clock.now().date() != today(school)
    officer = await login(client, "officer@demo.test")
    r = await client.get(f"{BASE}/schools/{school.demo.school_ids[0]}", headers=officer)
    assert r.status_code == 200, r.text
    assert r.json()["last"] == today(school).isoformat()
    assert r.json()["first"] == (today(school) - timedelta(days=29)).isoformat()

    backwards = await client.get(
        f"{BASE}/schools/{school.demo.school_ids[0]}",
        params={"first": today(school).isoformat(), "last": "2000-01-01"},
        headers=officer,
    )
    assert backwards.status_code == 422, backwards.text


async def test_only_the_office_admins_and_the_sections_teachers_read_measures(
    client: httpx.AsyncClient, school: School
) -> None:
    school_url = f"{BASE}/schools/{school.demo.school_ids[0]}"
    section_url = f"{BASE}/sections/{school.s01}"
    for email, on_school, on_section in (
        ("admin@demo.test", 200, 200),
        ("officer@demo.test", 200, 200),
        ("teacher1@demo.test", 403, 200),  # S01's teacher
        ("teacher3@demo.test", 403, 403),
        ("guardian1@demo.test", 403, 403),
        ("student1@demo.test", 403, 403),
    ):
        auth = await login(client, email)
        assert (await client.get(school_url, headers=auth)).status_code == on_school, email
        assert (await client.get(section_url, headers=auth)).status_code == on_section, email
    admin = await login(client, "admin@demo.test")
    unknown = "00000000-0000-0000-0000-000000000001"
    assert (await client.get(f"{BASE}/schools/{unknown}", headers=admin)).status_code == 404
    assert (await client.get(f"{BASE}/sections/{unknown}", headers=admin)).status_code == 404


async def test_each_period_weighs_its_minutes_in_class(
    client: httpx.AsyncClient, school: School, app: FastAPI
) -> None:
    """The marks the measures read carry their session's length (the demo's periods are 45
    minutes), which weighs the period in its day's credit."""
    await four_days_and_an_absence(client, school, app)
    day = today(school)
    async with app.state.services.session_factory() as db:
        marks = await period_marks(
            db,
            school.demo.institution_id,
            day - timedelta(days=4),
            day,
            student_id=school.person("student1@demo.test"),
        )
    assert len(marks) == 9
    assert {m.minutes for m in marks} == {45}


async def test_a_partial_day_counts_by_the_institutions_full_and_half_day_shares(
    client: httpx.AsyncClient, school: School, app: FastAPI
) -> None:
    # Today: S01 missed (08:45 close), S02 attended, two periods of the same length.
    await four_days_and_an_absence(client, school, app)
    officer = await login(client, "officer@demo.test")
    admin = await login(client, "admin@demo.test")
    s02 = await session_of(client, officer, school.demo.section_ids[1], at_hour=8)
    done = await client.post(
        f"/api/v1/attendance/sessions/{s02['id']}/mark-all-present", headers=officer
    )
    assert done.status_code == 200, done.text
    school.clock.advance(timedelta(hours=2))
    assert await close_due_sessions(app.state.services) >= 1
    student1 = str(school.person("student1@demo.test"))
    day = today(school)
    params = {
        "first": (day - timedelta(days=4)).isoformat(),
        "last": day.isoformat(),
        "student_id": student1,
    }
    url = f"{BASE}/schools/{school.demo.school_ids[0]}"

    async def attended_and_absent() -> tuple[float, float]:
        r = await client.get(url, params=params, headers=officer)
        assert r.status_code == 200, r.text
        [row] = r.json()["items"]
        return row["days_attended"], row["days_absent"]

    async def shares(full: int, half: int) -> None:
        r = await client.put(
            "/api/v1/insights/thresholds",
            json={"full_day_percent": full, "half_day_percent": half},
            headers=admin,
        )
        assert r.status_code == 200, r.text

    # Half of today's minutes present: by default (75 % full, 25 % half) half a day.
    assert await attended_and_absent() == (4.5, 0.5)
    await shares(50, 25)  # half the minutes make a full day
    assert await attended_and_absent() == (5.0, 0.0)
    await shares(90, 60)  # half the minutes are not even half a day
    assert await attended_and_absent() == (4.0, 1.0)
