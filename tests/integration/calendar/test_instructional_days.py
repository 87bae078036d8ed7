"""A school's instructional days over a range or an academic session: weekdays that are
neither holidays nor closures, early releases counted apart, the non-school days listed."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx

from tests.integration.attendance.helpers import SCHOOL_ZONE, School, school_time
from tests.roster import login

CAL = "/api/v1/calendar"


def next_monday(after: date) -> date:
    return after + timedelta(days=7 - after.weekday())


async def declare(client: httpx.AsyncClient, h: dict[str, str], **body: Any) -> None:
    r = await client.post(f"{CAL}/days", json=body, headers=h)
    assert r.status_code == 201, r.text


async def term(
    client: httpx.AsyncClient, h: dict[str, str], school: Any, first: date, last: date
) -> str:
    r = await client.post(
        "/api/v1/terms",
        json={
            "kind": "school_year",
            "title": "Two weeks",
            "starts_on": str(first),
            "ends_on": str(last),
            "school_id": str(school),
        },
        headers=h,
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def test_instructional_days_leave_out_holidays_and_closures_and_count_early_releases(
    client: httpx.AsyncClient, school: School
) -> None:
    admin = await login(client, "admin@demo.test")
    teacher = await login(client, "teacher1@demo.test")
    school_id, other_school = school.demo.school_ids[0], school.demo.school_ids[1]
    today = school_time(6, 0).astimezone(SCHOOL_ZONE).date()
    first = next_monday(today)
    last = first + timedelta(days=13)  # two school weeks: ten weekdays
    r = await client.post(
        f"{CAL}/bell-schedules",
        json={
            "school_id": str(school_id),
            "name": "Early",
            "periods": [{"name": "P1", "starts_at": "08:00", "ends_at": "08:30"}],
        },
        headers=admin,
    )
    assert r.status_code == 201, r.text
    early = r.json()["id"]
    sid = str(school_id)
    await declare(
        client,
        admin,
        kind="holiday",
        reason="Founders' day",
        day=str(first + timedelta(2)),
        school_id=sid,
    )
    await declare(
        client, admin, kind="closure", reason="Snow", day=str(first + timedelta(8)), school_id=sid
    )
    await declare(
        client, admin, kind="holiday", reason="Fair", day=str(first + timedelta(5)), school_id=sid
    )  # a Saturday
    await declare(
        client, admin, kind="early_release", reason="Staff meeting",
        day=str(first + timedelta(3)), school_id=sid, bell_schedule_id=early,
    )  # fmt: skip
    # The other school's closure is not this school's.
    await declare(
        client,
        admin,
        kind="closure",
        reason="Boiler",
        day=str(first + timedelta(1)),
        school_id=str(other_school),
    )

    url = f"{CAL}/schools/{school_id}/instructional-days"
    r = await client.get(url, params={"from": str(first), "to": str(last)}, headers=teacher)
    assert r.status_code == 200, r.text
    counted = r.json()
    assert (counted["weekdays"], counted["instructional_days"], counted["early_release_days"]) == (
        10,
        8,
        1,
    )
    assert [(d["day"], d["kind"], d["reason"]) for d in counted["non_school_days"]] == [
        (str(first + timedelta(2)), "holiday", "Founders' day"),
        (str(first + timedelta(5)), "holiday", "Fair"),
        (str(first + timedelta(8)), "closure", "Snow"),
    ]
    assert counted["academic_session_id"] is None

    # The same over an academic session of the school (a school year or a term).
    session = await term(client, admin, school_id, first, last)
    r = await client.get(url, params={"academic_session_id": session}, headers=teacher)
    assert r.status_code == 200, r.text
    by_session = r.json()
    assert by_session["academic_session_id"] == session
    assert (by_session["first"], by_session["last"]) == (str(first), str(last))
    assert by_session["instructional_days"] == 8

    # The other school: its own closure only.
    r = await client.get(
        f"{CAL}/schools/{other_school}/instructional-days",
        params={"from": str(first), "to": str(last)},
        headers=teacher,
    )
    assert (r.json()["instructional_days"], len(r.json()["non_school_days"])) == (9, 1)

    # Another school's session, an unknown one, an unknown school: 404.
    theirs = await term(client, admin, other_school, first, last)
    nobody = "00000000-0000-4000-8000-000000000000"
    for bad_url, params in (
        (url, {"academic_session_id": theirs}),
        (url, {"academic_session_id": nobody}),
        (f"{CAL}/schools/{nobody}/instructional-days", {"from": str(first), "to": str(last)}),
    ):
        r = await client.get(bad_url, params=params, headers=teacher)
        assert r.status_code == 404, (params, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")

    # Neither, both, half a range, backwards, too long, not a date: 422.
    for params in (
        {},
        {"academic_session_id": session, "from": str(first), "to": str(last)},
        {"from": str(first)},
        {"from": str(last), "to": str(first)},
        {"from": str(first), "to": str(first + timedelta(days=731))},
        {"from": "yesterday", "to": str(last)},
    ):
        r = await client.get(url, params=params, headers=teacher)
        assert r.status_code == 422, (params, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
