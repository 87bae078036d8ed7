"""Sessions made on demand: dated by the school's calendar, listed under that date."""

from __future__ import annotations

from datetime import timedelta

import httpx

from tests.integration.attendance.conftest import SCHOOL_ZONE, School, school_time
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
