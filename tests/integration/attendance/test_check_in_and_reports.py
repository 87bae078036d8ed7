"""Rotating-QR self check-in, the close-time sweep, credentials and reports."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import httpx
from fastapi import FastAPI

from edtech.attendance.public import close_due_sessions
from tests.integration.attendance.helpers import School, scan, school_time, session_of
from tests.roster import login

CHECK_IN = "/api/v1/attendance/check-ins"


async def test_qr_check_in_counts_once_and_refuses_expired_codes_outsiders_and_shared_devices(
    client: httpx.AsyncClient, school: School
) -> None:
    teacher = await login(client, "teacher1@demo.test")
    session = await session_of(client, teacher, school.s01)
    qr = await client.get(f"/api/v1/attendance/sessions/{session['id']}/qr", headers=teacher)
    assert qr.status_code == 200
    token = qr.json()["token"]
    student1 = await login(client, "student1@demo.test")
    assert (
        await client.get(f"/api/v1/attendance/sessions/{session['id']}/qr", headers=student1)
    ).status_code == 404

    ok = await client.post(
        CHECK_IN, json={"token": token, "device_id": "phone-of-student-1"}, headers=student1
    )
    assert ok.status_code == 200, ok.text
    assert (ok.json()["result"], ok.json()["category"], ok.json()["minutes_late"]) == (
        "recorded",
        "tardy",
        20,
    )
    twice = await client.post(
        CHECK_IN, json={"token": token, "device_id": "phone-of-student-1"}, headers=student1
    )
    assert twice.json()["result"] == "already_marked"

    student3 = await login(client, "student3@demo.test")
    shared = await client.post(
        CHECK_IN, json={"token": token, "device_id": "phone-of-student-1"}, headers=student3
    )
    assert shared.status_code == 403
    assert shared.json()["reason"] == "device_used"
    outsider = await login(client, "student2@demo.test")
    refused = await client.post(
        CHECK_IN, json={"token": token, "device_id": "phone-of-student-2"}, headers=outsider
    )
    assert refused.status_code == 403
    assert refused.json()["reason"] == "not_enrolled"
    forged = await client.post(
        CHECK_IN,
        json={"token": token[:-2] + "xx", "device_id": "phone-of-student-3"},
        headers=student3,
    )
    assert forged.status_code == 403
    assert forged.json()["reason"] == "invalid"

    school.clock.advance(timedelta(seconds=20))
    late = await client.post(
        CHECK_IN, json={"token": token, "device_id": "phone-of-student-3"}, headers=student3
    )
    assert late.status_code == 403
    assert late.json()["reason"] == "expired"
    fresh = (
        await client.get(f"/api/v1/attendance/sessions/{session['id']}/qr", headers=teacher)
    ).json()["token"]
    again = await client.post(
        CHECK_IN, json={"token": fresh, "device_id": "phone-of-student-3"}, headers=student3
    )
    assert again.json()["result"] == "recorded"
    malformed = await client.post(CHECK_IN, json={"token": fresh}, headers=student3)
    assert malformed.status_code == 422


async def test_the_close_time_sweep_closes_only_sessions_past_their_end(
    client: httpx.AsyncClient, app: FastAPI, school: School
) -> None:
    assert await close_due_sessions(app.state.services) == 0
    school.clock.advance(timedelta(minutes=26))  # 08:46: S01 and S03 ended at 08:45, S02 runs
    assert await close_due_sessions(app.state.services) == 2
    assert await close_due_sessions(app.state.services) == 0
    officer = await login(client, "officer@demo.test")
    states = {
        n: (await session_of(client, officer, school.demo.section_ids[n]))["state"]
        for n in (0, 1, 2)
    }
    assert states == {0: "closed", 1: "scheduled", 2: "closed"}


async def test_credentials_are_assigned_by_the_office_and_revoked_cards_stop_working(
    client: httpx.AsyncClient, school: School
) -> None:
    officer = await login(client, "officer@demo.test")
    teacher = await login(client, "teacher1@demo.test")
    student5 = school.person("student5@demo.test")
    body = {"student_id": str(student5), "kind": "nfc", "value": "04:A2:19:7F"}
    assert (
        await client.post("/api/v1/attendance/credentials", json=body, headers=teacher)
    ).status_code == 403
    made = await client.post("/api/v1/attendance/credentials", json=body, headers=officer)
    assert made.status_code == 201
    taken = body | {"student_id": str(school.person("student7@demo.test"))}
    assert (
        await client.post("/api/v1/attendance/credentials", json=taken, headers=officer)
    ).status_code == 409
    assert (
        await client.post(
            "/api/v1/attendance/credentials", json=body | {"kind": "iris"}, headers=officer
        )
    ).status_code == 422
    first = await scan(client, ("n1", "04:a2:19:7f", school_time(8, 2)))
    assert first.json()["results"][0]["student_id"] == str(student5)
    assert (
        await client.delete(f"/api/v1/attendance/credentials/{made.json()['id']}", headers=officer)
    ).status_code == 204
    after = await scan(client, ("n2", "04:A2:19:7F", school_time(8, 3)))
    assert after.json()["results"][0]["result"] == "unknown_credential"


async def test_reports_per_student_section_and_day_as_json_and_csv(
    client: httpx.AsyncClient, school: School
) -> None:
    await scan(client, ("r1", "CARD-1", school_time(8, 1)), ("r3", "CARD-3", school_time(8, 11)))
    officer = await login(client, "officer@demo.test")
    s01 = await session_of(client, officer, school.s01)
    await client.post(f"/api/v1/attendance/sessions/{s01['id']}/close", headers=officer)
    day = school.clock.now().date().isoformat()
    student3 = school.person("student3@demo.test")

    guardian3 = await login(client, "guardian3@demo.test")
    r = await client.get(
        f"/api/v1/attendance/reports/students/{student3}",
        params={"first": day, "last": day},
        headers=guardian3,
    )
    assert r.status_code == 200, r.text
    summary = r.json()["summary"]
    # S01 tardy 11 min; S02 (08:55) has not happened yet, so it is unmarked
    assert (
        summary["sessions"],
        summary["marked"],
        summary["tardies"],
        summary["minutes_late"],
    ) == (2, 1, 1, 11)
    assert summary["present_percent"] == 100.0
    assert (
        await client.get(
            f"/api/v1/attendance/reports/students/{student3}",
            params={"first": day, "last": day},
            headers=await login(client, "guardian1@demo.test"),
        )
    ).status_code == 404

    teacher = await login(client, "teacher1@demo.test")
    section = await client.get(
        f"/api/v1/attendance/reports/sections/{school.s01}",
        params={"first": day, "last": day},
        headers=teacher,
    )
    lines = {line["student_id"]: line["summary"] for line in section.json()["students"]}
    assert lines[str(school.person("student1@demo.test"))]["present"] == 1
    assert lines[str(school.person("student5@demo.test"))]["absences_unexcused"] == 1
    assert (
        await client.get(
            f"/api/v1/attendance/reports/sections/{school.demo.section_ids[1]}",
            params={"first": day, "last": day},
            headers=teacher,
        )
    ).status_code == 404

    as_csv = await client.get(
        f"/api/v1/attendance/reports/sections/{school.s01}",
        params={"first": day, "last": day, "format": "csv"},
        headers=teacher,
    )
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in as_csv.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert len(rows) == len(lines)
    assert {"name", "present_percent", "tardies"} <= set(rows[0])

    daily = await client.get(f"/api/v1/attendance/reports/days/{day}", headers=officer)
    assert {s["state"] for s in daily.json()["sessions"]} == {"closed", "scheduled"}
    assert (
        await client.get(f"/api/v1/attendance/reports/days/{day}", headers=teacher)
    ).status_code == 403
    day_csv = await client.get(
        f"/api/v1/attendance/reports/days/{day}", params={"format": "csv"}, headers=officer
    )
    assert len(list(csv.DictReader(io.StringIO(day_csv.text)))) == 3
    backwards = await client.get(
        f"/api/v1/attendance/reports/students/{student3}",
        params={"first": day, "last": "2000-01-01"},
        headers=officer,
    )
    assert backwards.status_code == 422
