"""Teacher and office marks: versions, history, roster checks, lock rules, permissions."""

from __future__ import annotations

import httpx

from edtech.demo import OtherSummary
from tests.integration.attendance.helpers import School, session_of
from tests.roster import login

MARKS = "/api/v1/attendance/sessions/{}/marks/{}"


async def test_teacher_marks_with_versions_and_a_stale_write_gets_409(
    client: httpx.AsyncClient, school: School
) -> None:
    teacher = await login(client, "teacher1@demo.test")
    session = await session_of(client, teacher, school.s01)
    student = school.person("student1@demo.test")
    url = MARKS.format(session["id"], student)

    first = await client.put(
        url, json={"code": "T", "version": 0, "minutes_late": 7}, headers=teacher
    )
    assert first.status_code == 200, first.text
    assert first.json() | {} == first.json()
    assert (first.json()["teacher_code"], first.json()["official_code"]) == ("T", "T")
    assert (first.json()["minutes_late"], first.json()["source"], first.json()["version"]) == (
        7,
        "teacher",
        1,
    )

    stale = await client.put(url, json={"code": "P", "version": 0}, headers=teacher)
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 1
    assert stale.json()["mark"]["official_code"] == "T"

    # the office overrides the official code; the teacher's observation stays
    officer = await login(client, "officer@demo.test")
    office = await client.put(
        url, json={"code": "E", "version": 1, "reason": "doctor"}, headers=officer
    )
    assert office.status_code == 200
    assert (office.json()["teacher_code"], office.json()["official_code"]) == ("T", "E")
    # a later teacher mark no longer changes what the office recorded
    again = await client.put(url, json={"code": "P", "version": 2}, headers=teacher)
    assert (again.json()["teacher_code"], again.json()["official_code"]) == ("P", "E")

    history = (await client.get(url + "/history", headers=teacher)).json()
    assert [(h["before"]["official_code"], h["after"]["official_code"]) for h in history] == [
        (None, "T"),
        ("T", "E"),
        ("E", "E"),
    ]
    assert history[1]["reason"] == "doctor"


async def test_marking_a_student_not_on_the_roster_or_with_an_unknown_code_is_422(
    client: httpx.AsyncClient, school: School
) -> None:
    teacher = await login(client, "teacher1@demo.test")
    session = await session_of(client, teacher, school.s01)
    outsider = school.person("student2@demo.test")  # in S03 only
    r = await client.put(MARKS.format(session["id"], outsider), json={"code": "P"}, headers=teacher)
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["student_id"]
    student = school.person("student1@demo.test")
    bad = await client.put(
        MARKS.format(session["id"], student), json={"code": "ZZ"}, headers=teacher
    )
    assert bad.status_code == 422
    malformed = await client.put(
        MARKS.format(session["id"], student), json={"code": ""}, headers=teacher
    )
    assert malformed.status_code == 422


async def test_mark_all_present_close_and_lock_then_only_the_officer_with_a_reason(
    client: httpx.AsyncClient, school: School
) -> None:
    teacher = await login(client, "teacher1@demo.test")
    session = await session_of(client, teacher, school.s01)
    sid = session["id"]
    student = school.person("student1@demo.test")
    await client.put(MARKS.format(sid, student), json={"code": "A"}, headers=teacher)

    r = await client.post(f"/api/v1/attendance/sessions/{sid}/mark-all-present", headers=teacher)
    assert r.status_code == 200
    board = (await client.get(f"/api/v1/attendance/sessions/{sid}/board", headers=teacher)).json()
    assert r.json()["changed"] == board["tally"]["expected"] - 1
    assert board["tally"]["absent"] == 1
    assert board["tally"]["unmarked"] == 0
    assert board["missing"] == []

    assert (
        await client.post(f"/api/v1/attendance/sessions/{sid}/lock", headers=teacher)
    ).status_code == 409
    closed = await client.post(f"/api/v1/attendance/sessions/{sid}/close", headers=teacher)
    assert closed.json()["state"] == "closed"
    locked = await client.post(f"/api/v1/attendance/sessions/{sid}/lock", headers=teacher)
    assert locked.json()["state"] == "locked"

    url = MARKS.format(sid, student)
    assert (await client.put(url, json={"code": "P"}, headers=teacher)).status_code == 403
    officer = await login(client, "officer@demo.test")
    no_reason = await client.put(url, json={"code": "P"}, headers=officer)
    assert no_reason.status_code == 422
    ok = await client.put(url, json={"code": "P", "reason": "was on a field trip"}, headers=officer)
    assert ok.status_code == 200
    assert ok.json()["official_code"] == "P"


async def test_teachers_see_only_their_sections_and_other_tenants_get_404(
    client: httpx.AsyncClient, school: School, other_institution: OtherSummary
) -> None:
    officer = await login(client, "officer@demo.test")
    s02 = await session_of(client, officer, school.demo.section_ids[1], at_hour=8)
    teacher1 = await login(client, "teacher1@demo.test")
    assert (
        await client.get(f"/api/v1/attendance/sessions/{s02['id']}/board", headers=teacher1)
    ).status_code == 404
    student = school.person("student1@demo.test")
    put = await client.put(MARKS.format(s02["id"], student), json={"code": "P"}, headers=teacher1)
    assert put.status_code == 404
    mine = (await client.get("/api/v1/attendance/sessions", headers=teacher1)).json()["items"]
    assert mine
    assert {s["section_id"] for s in mine} == {str(school.s01)}

    stranger = await login(client, "teacher@other.test")
    assert (
        await client.get(f"/api/v1/attendance/sessions/{s02['id']}/board", headers=stranger)
    ).status_code == 404
    assert (
        await client.get(f"/api/v1/attendance/sessions/{s02['id']}", headers=stranger)
    ).status_code == 404
    admin = await login(client, "admin@other.test")
    assert (
        await client.post(f"/api/v1/attendance/sessions/{s02['id']}/close", headers=admin)
    ).status_code == 404
    assert (await client.get("/api/v1/attendance/sessions", headers=admin)).json()["items"] == []
    student_login = await login(client, "student1@demo.test")
    assert (
        await client.get(f"/api/v1/attendance/sessions/{s02['id']}/board", headers=student_login)
    ).status_code == 404
    assert (await client.get("/api/v1/attendance/sessions")).status_code == 401


async def test_codes_are_seeded_with_ed_fi_categories_and_only_admins_edit_them(
    client: httpx.AsyncClient, school: School
) -> None:
    teacher = await login(client, "teacher1@demo.test")
    codes = (await client.get("/api/v1/attendance/codes", headers=teacher)).json()
    assert {c["code"]: c["ed_fi_category"] for c in codes} == {
        "P": "In Attendance",
        "T": "Tardy",
        "A": "Unexcused Absence",
        "E": "Excused Absence",
        "ED": "Early Departure",
    }
    body = {"code": "L", "name": "Late bus", "category": "tardy", "present_percent": 100}
    assert (
        await client.post("/api/v1/attendance/codes", json=body, headers=teacher)
    ).status_code == 403
    admin = await login(client, "admin@demo.test")
    created = await client.post("/api/v1/attendance/codes", json=body, headers=admin)
    assert created.status_code == 201
    assert created.json()["ed_fi_category"] == "Tardy"
    assert (
        await client.post("/api/v1/attendance/codes", json=body, headers=admin)
    ).status_code == 409
    system = await client.patch(
        "/api/v1/attendance/codes/P", json={"category": "absent"}, headers=admin
    )
    assert system.status_code == 409
    renamed = await client.patch("/api/v1/attendance/codes/P", json={"name": "Here"}, headers=admin)
    assert renamed.json()["name"] == "Here"
    off = await client.patch("/api/v1/attendance/codes/L", json={"is_active": False}, headers=admin)
    assert off.json()["is_active"] is False
    session = await session_of(client, teacher, school.s01)
    student = school.person("student1@demo.test")
    inactive = await client.put(
        MARKS.format(session["id"], student), json={"code": "L"}, headers=teacher
    )
    assert inactive.status_code == 422
