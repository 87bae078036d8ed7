"""Planning follows an A/B rotation exactly, twice run, and skips a holiday without
advancing the rotation."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import httpx
import sqlalchemy as sa
from fastapi import FastAPI

from edtech.attendance.infrastructure.tables import attendance_session
from edtech.attendance.public import plan_tomorrow
from edtech.demo import school_year
from tests.integration.attendance.helpers import SCHOOL_ZONE, School
from tests.roster import login

PERIODS = {
    "P1": (time(8, 0), time(8, 45)),
    "P2": (time(9, 0), time(9, 45)),
    "P3": (time(10, 0), time(10, 45)),
}


def window_monday(today: date) -> date:
    """A Monday well inside the demo's current term (it spans August–December or
    January–July), with two whole weeks of the term after it."""
    start, _ = school_year(today)
    term_start = start if today < date(start.year + 1, 1, 1) else date(start.year + 1, 1, 1)
    first = term_start + timedelta(days=35)
    return first + timedelta(days=(7 - first.weekday()) % 7)


async def set_up_rotation(
    client: httpx.AsyncClient, school: School, admin: dict[str, str], monday: date
) -> None:
    school_id = str(school.demo.school_ids[0])
    r = await client.post(
        "/api/v1/calendar/bell-schedules",
        json={
            "school_id": school_id,
            "name": "Regular",
            "periods": [
                {"name": n, "starts_at": s.isoformat(), "ends_at": e.isoformat()}
                for n, (s, e) in PERIODS.items()
            ],
        },
        headers=admin,
    )
    assert r.status_code == 201, r.text
    r = await client.post(
        "/api/v1/calendar/rotations",
        json={
            "school_id": school_id,
            "name": "A/B",
            "labels": ["A", "B"],
            "starts_on": monday.isoformat(),
            "bell_schedule_id": r.json()["id"],
        },
        headers=admin,
    )
    assert r.status_code == 201, r.text
    s01, s02 = (str(s) for s in school.demo.section_ids[:2])
    r = await client.put(
        f"/api/v1/calendar/rotations/{r.json()['id']}/meetings",
        json={
            "meetings": [
                {"section_id": s01, "label": "A", "period": "P1"},
                {"section_id": s02, "label": "B", "period": "P2"},
                {"section_id": s02, "label": "A", "period": "P3"},
            ]
        },
        headers=admin,
    )
    assert r.status_code == 200, r.text


def expected(school: School, days: dict[date, str]) -> set[tuple[str, datetime]]:
    """(section, start) of every meeting the rotation table says, worked out by hand."""
    s01, s02 = (str(s) for s in school.demo.section_ids[:2])
    by_label = {"A": [(s01, "P1"), (s02, "P3")], "B": [(s02, "P2")]}
    out = set()
    for day, label in days.items():
        for section, period in by_label[label]:
            starts = datetime.combine(day, PERIODS[period][0], SCHOOL_ZONE).astimezone(UTC)
            out.add((section, starts))
    return out


async def planned(app: FastAPI, school: School, first: date) -> set[tuple[str, datetime]]:
    t = attendance_session
    stmt = sa.select(t.c.section_id, t.c.starts_at).where(
        t.c.section_id.in_(school.demo.section_ids[:2]),
        t.c.day >= first,
        t.c.day < first + timedelta(days=14),
    )
    async with app.state.services.session_factory() as session:
        return {(str(r.section_id), r.starts_at) for r in await session.execute(stmt)}


async def plan(client: httpx.AsyncClient, officer: dict[str, str], monday: date) -> list[str]:
    r = await client.post(
        "/api/v1/attendance/sessions/plan",
        json={"first": monday.isoformat(), "last": (monday + timedelta(days=13)).isoformat()},
        headers=officer,
    )
    assert r.status_code == 201, r.text
    created: list[str] = r.json()["created"]
    return created


def weeks(monday: date, labels: str) -> dict[date, str]:
    """School days of the two weeks from `monday` → label; '-' marks a day without one."""
    school_days = [monday + timedelta(days=n) for n in range(14) if n % 7 < 5]
    return {d: lab for d, lab in zip(school_days, labels, strict=True) if lab != "-"}


async def test_a_two_week_ab_rotation_plans_exactly_its_sessions_and_twice_run_nothing_more(
    client: httpx.AsyncClient, school: School, app: FastAPI
) -> None:
    monday = window_monday(school.clock.now().date())
    admin = await login(client, "admin@demo.test")
    officer = await login(client, "officer@demo.test")
    await set_up_rotation(client, school, admin, monday)

    first = await plan(client, officer, monday)
    want = expected(school, weeks(monday, "ABABABABAB"))
    assert len(want) == 15  # A days: 5 × (S01 P1 + S02 P3); B days: 5 × S02 P2
    assert await planned(app, school, monday) == want
    assert len(first) >= len(want)

    assert await plan(client, officer, monday) == []  # idempotent: run twice, same sessions
    assert await planned(app, school, monday) == want

    listed = await client.get("/api/v1/calendar/rotations", headers=officer)
    assert listed.status_code == 200, listed.text
    [rotation] = listed.json()["items"]
    assert (rotation["labels"], len(rotation["meetings"])) == (["A", "B"], 3)


async def test_a_holiday_has_no_sessions_and_does_not_advance_the_rotation(
    client: httpx.AsyncClient, school: School, app: FastAPI
) -> None:
    monday = window_monday(school.clock.now().date())
    school.clock.advance(monday - timedelta(days=3) - school.clock.now().date())
    admin = await login(client, "admin@demo.test")
    officer = await login(client, "officer@demo.test")
    await set_up_rotation(client, school, admin, monday)
    wednesday = monday + timedelta(days=2)
    r = await client.post(
        "/api/v1/calendar/days",
        json={
            "kind": "holiday",
            "reason": "Teacher training",
            "day": wednesday.isoformat(),
            "school_id": str(school.demo.school_ids[0]),
        },
        headers=admin,
    )
    assert r.status_code == 201, r.text

    await plan(client, officer, monday)
    assert await planned(app, school, monday) == expected(school, weeks(monday, "AB-ABABABA"))

    day = await client.get(
        f"/api/v1/calendar/schools/{school.demo.school_ids[0]}/day",
        params={"date": (wednesday + timedelta(days=1)).isoformat()},
        headers=officer,
    )
    assert day.status_code == 200, day.text
    assert day.json()["labels"] == {"A/B": "A"}
    assert [m["period"] for m in day.json()["meetings"]] == ["P1", "P3"]


async def test_the_hourly_planner_plans_tomorrow_once_and_nothing_at_a_closed_school(
    client: httpx.AsyncClient, school: School, app: FastAPI
) -> None:
    admin = await login(client, "admin@demo.test")
    tomorrow = school.clock.now().astimezone(SCHOOL_ZONE).date() + timedelta(days=1)
    closed, open_ = school.demo.school_ids[0], school.demo.school_ids[1]
    r = await client.post(
        "/api/v1/calendar/days",
        json={
            "kind": "holiday",
            "reason": "Founders' day",
            "day": tomorrow.isoformat(),
            "school_id": str(closed),
        },
        headers=admin,
    )
    assert r.status_code == 201, r.text
    made = await plan_tomorrow(app.state.services)
    assert made > 0
    assert await plan_tomorrow(app.state.services) == 0  # run again: nothing more
    t = attendance_session
    async with app.state.services.session_factory() as session:
        schools = {
            r.school_id
            for r in await session.execute(sa.select(t.c.school_id).where(t.c.day == tomorrow))
        }
    assert schools == {open_}
