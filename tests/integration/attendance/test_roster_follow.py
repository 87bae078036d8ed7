"""Sessions that have not closed follow their section's roster: a student enrolled today is on
today's board (and their scans count), a student whose enrollment ended leaves it unless
their mark is recorded; closed sessions and other tenants stay as they were."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from edtech.attendance.infrastructure.roster_sink import FollowEnrollments
from edtech.institutions.public import EnrollmentEnded
from edtech.kernel.clock import FixedClock
from edtech.platform.db.engine import make_engine, make_session_factory
from edtech.settings import Settings
from tests.integration.attendance.helpers import School, Socket, scan, school_time, session_of
from tests.roster import login

NEWCOMER = "student2@demo.test"
"""A Riverside student, in none of Northside's S01: the institution admin enrolls them."""


async def _board(client: httpx.AsyncClient, auth: dict[str, str], session_id: str) -> Any:
    r = await client.get(f"/api/v1/attendance/sessions/{session_id}/board", headers=auth)
    assert r.status_code == 200, r.text
    return r.json()


def _marks(board: Any) -> dict[str, Any]:
    return {m["student_id"]: m for m in board["marks"]}


async def _enroll(
    client: httpx.AsyncClient, admin: dict[str, str], section: uuid.UUID, person: uuid.UUID
) -> str:
    body = {"section_id": str(section), "person_id": str(person), "role": "student"}
    r = await client.post("/api/v1/enrollments", json=body, headers=admin)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def _enrollment_of(
    client: httpx.AsyncClient, admin: dict[str, str], section: uuid.UUID, person: uuid.UUID
) -> str:
    r = await client.get(
        "/api/v1/enrollments", params={"section_id": str(section), "limit": 200}, headers=admin
    )
    assert r.status_code == 200, r.text
    ids = [e["id"] for e in r.json()["items"] if e["person_id"] == str(person)]
    assert len(ids) == 1, r.json()
    return str(ids[0])


async def test_a_student_enrolled_today_joins_the_live_board_and_their_scan_counts(
    client: httpx.AsyncClient, live_server: object, school: School
) -> None:
    teacher = await login(client, "teacher1@demo.test")
    admin = await login(client, "admin@demo.test")
    session = await session_of(client, teacher, school.s01)
    newcomer = str(school.person(NEWCOMER))
    before = await _board(client, teacher, session["id"])
    assert newcomer not in _marks(before)
    ws = await Socket.open(live_server.ws_url, teacher)  # type: ignore[attr-defined]
    try:
        reply = await ws.subscribe(before["channel"]["name"])
        assert reply["ok"], reply

        await _enroll(client, admin, school.s01, school.person(NEWCOMER))

        event = await ws.event("attendance.roster_changed")
        assert event["data"]["change"] == "added"
        assert event["data"]["session_id"] == session["id"]
        assert event["data"]["student_id"] == newcomer
        assert event["data"]["mark"]["official_code"] is None
    finally:
        await ws.close()
    after = _marks(await _board(client, teacher, session["id"]))
    assert set(after) == set(_marks(before)) | {newcomer}
    assert after[newcomer]["official_code"] is None

    r = await scan(client, ("newcomer-1", "CARD-2", school_time(8, 21)))
    assert r.status_code == 200, r.text
    assert r.json()["results"][0]["result"] == "recorded", r.text
    marked = _marks(await _board(client, teacher, session["id"]))[newcomer]
    assert marked["official_code"] is not None


async def test_enrolling_twice_in_one_day_gives_one_mark(
    client: httpx.AsyncClient, school: School
) -> None:
    admin = await login(client, "admin@demo.test")
    session = await session_of(client, admin, school.s01)
    enrollment = await _enroll(client, admin, school.s01, school.person(NEWCOMER))
    r = await client.post(f"/api/v1/enrollments/{enrollment}/end", json={}, headers=admin)
    assert r.status_code == 200, r.text
    assert str(school.person(NEWCOMER)) not in _marks(await _board(client, admin, session["id"]))
    await _enroll(client, admin, school.s01, school.person(NEWCOMER))
    board = await _board(client, admin, session["id"])
    ids = [m["student_id"] for m in board["marks"]]
    assert ids.count(str(school.person(NEWCOMER))) == 1


async def test_an_ended_enrollment_takes_the_unmarked_tile_and_keeps_the_recorded_one(
    client: httpx.AsyncClient, live_server: object, school: School
) -> None:
    admin = await login(client, "admin@demo.test")
    teacher = await login(client, "teacher1@demo.test")
    session = await session_of(client, teacher, school.s01)
    marked, unmarked = school.person("student1@demo.test"), school.person("student3@demo.test")
    r = await scan(client, ("kept-1", "CARD-1", school_time(8, 5)))
    assert r.json()["results"][0]["result"] == "recorded", r.text
    before = _marks(await _board(client, teacher, session["id"]))
    assert before[str(unmarked)]["official_code"] is None
    assert before[str(marked)]["official_code"] is not None

    ws = await Socket.open(live_server.ws_url, teacher)  # type: ignore[attr-defined]
    try:
        assert (await ws.subscribe(f"attendance.session.{session['id']}"))["ok"]
        for person in (marked, unmarked):
            enrollment = await _enrollment_of(client, admin, school.s01, person)
            r = await client.delete(f"/api/v1/enrollments/{enrollment}", headers=admin)
            assert r.status_code == 204, r.text
        event = await ws.event("attendance.roster_changed")
        assert (event["data"]["change"], event["data"]["student_id"]) == ("removed", str(unmarked))
        assert event["data"]["mark"] is None
        await ws.quiet(0.3)
        changes = [e for e in ws.events if e["type"] == "attendance.roster_changed"]
        assert len(changes) == 1, changes
    finally:
        await ws.close()

    after = _marks(await _board(client, teacher, session["id"]))
    assert str(unmarked) not in after
    assert after[str(marked)] == before[str(marked)]
    assert set(after) == set(before) - {str(unmarked)}


async def test_a_closed_session_keeps_its_roster(
    client: httpx.AsyncClient, school: School, clock: FixedClock
) -> None:
    officer = await login(client, "officer@demo.test")
    admin = await login(client, "admin@demo.test")
    session = await session_of(client, officer, school.s01)
    clock.advance(timedelta(minutes=30))  # 08:50: S01 ended at 08:45
    r = await client.post(f"/api/v1/attendance/sessions/{session['id']}/close", headers=officer)
    assert r.status_code == 200, r.text
    before = await _board(client, officer, session["id"])
    leaving = school.person("student3@demo.test")

    await _enroll(client, admin, school.s01, school.person(NEWCOMER))
    enrollment = await _enrollment_of(client, admin, school.s01, leaving)
    r = await client.delete(f"/api/v1/enrollments/{enrollment}", headers=admin)
    assert r.status_code == 204, r.text

    assert (await _board(client, officer, session["id"]))["marks"] == before["marks"]


async def test_a_teacher_enrolled_changes_no_board(
    client: httpx.AsyncClient, school: School
) -> None:
    admin = await login(client, "admin@demo.test")
    session = await session_of(client, admin, school.s01)
    before = await _board(client, admin, session["id"])
    body = {
        "section_id": str(school.s01),
        "person_id": str(school.person("teacher2@demo.test")),
        "role": "aide",
    }
    r = await client.post("/api/v1/enrollments", json=body, headers=admin)
    assert r.status_code == 201, r.text
    assert (await _board(client, admin, session["id"]))["marks"] == before["marks"]


async def test_another_institutions_event_touches_none_of_this_ones_sessions(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, school: School
) -> None:
    """The sink itself, given an ended enrollment that names another institution (with this
    one's section and student): this institution's unmarked mark stays."""
    admin = await login(client, "admin@demo.test")
    session = await session_of(client, admin, school.s01)
    student = school.person("student3@demo.test")
    assert str(student) in _marks(await _board(client, admin, session["id"]))
    forged = EnrollmentEnded(
        institution_id=uuid.UUID(int=7),
        occurred_at=datetime.now(UTC),
        enrollment_id=uuid.UUID(int=8),
        section_id=school.s01,
        person_id=student,
        role="student",
        ends_on=school_time(8, 0).date().replace(day=1),
    )
    engine = make_engine(settings.database_url)
    try:
        async with make_session_factory(engine)() as db:
            staged = await FollowEnrollments(school.clock).stage(db, [forged])
            await db.commit()
    finally:
        await engine.dispose()
    assert staged is None
    assert str(student) in _marks(await _board(client, admin, session["id"]))
