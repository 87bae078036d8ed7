"""Scans over HTTP: windows, per-item results, idempotency, bad input."""

from __future__ import annotations

from datetime import timedelta

import httpx

from tests.integration.attendance.helpers import School, scan, school_time, session_of
from tests.roster import login


async def test_scan_on_time_is_present_and_after_grace_is_late_with_minutes(
    client: httpx.AsyncClient, school: School
) -> None:
    r = await scan(
        client,
        ("a1", "CARD-1", school_time(8, 3)),
        ("a3", "card-3 ", school_time(8, 12, 30)),
    )
    assert r.status_code == 200, r.text
    one, three = r.json()["results"]
    assert (one["result"], one["category"], one["minutes_late"]) == ("recorded", "present", 0)
    assert (three["result"], three["category"], three["minutes_late"]) == ("recorded", "tardy", 12)

    teacher = await login(client, "teacher1@demo.test")
    session = await session_of(client, teacher, school.s01)
    board = (
        await client.get(f"/api/v1/attendance/sessions/{session['id']}/board", headers=teacher)
    ).json()
    assert board["session"]["state"] == "open"
    assert board["tally"]["present"] == 1
    assert board["tally"]["tardy"] == 1
    assert board["tally"]["unmarked"] == board["tally"]["expected"] - 2
    missing = {m["student_id"] for m in board["missing"]}
    assert str(school.person("student1@demo.test")) not in missing
    assert str(school.person("student5@demo.test")) in missing
    # opened + two scans: the snapshot reflects three events on the board channel
    assert board["channel"] == {
        "name": f"attendance.session.{session['id']}",
        "offset": 3,
        "epoch": board["channel"]["epoch"],
    }


async def test_batch_with_duplicates_unknown_cards_and_a_replay_marks_each_student_once(
    client: httpx.AsyncClient, school: School
) -> None:
    now = school.clock.now()
    batch = (
        ("b1", "CARD-1", school_time(8, 1)),
        ("b1", "CARD-1", school_time(8, 1)),  # same scan id twice in one batch
        ("b2", "CARD-1", school_time(8, 2)),  # the same student tapping again
        ("b3", "CARD-404", school_time(8, 2)),
        ("b4", "CARD-5", now + timedelta(hours=1)),
        ("b5", "CARD-7", now - timedelta(days=8)),
        ("b6", "CARD-7", school_time(6, 0)),  # before any session opens
        ("b7", "CARD-9", school_time(8, 4)),
    )
    first = await scan(client, *batch)
    assert first.status_code == 200, first.text
    results = [(x["id"], x["result"]) for x in first.json()["results"]]
    assert results == [
        ("b1", "recorded"),
        ("b1", "duplicate"),
        ("b2", "already_marked"),
        ("b3", "unknown_credential"),
        ("b4", "rejected"),
        ("b5", "rejected"),
        ("b6", "no_session"),
        ("b7", "recorded"),
    ]
    reasons = [x["reason"] for x in first.json()["results"]]
    assert "future" in reasons[4]
    assert "retention" in reasons[5]

    replay = await scan(client, *batch)
    assert replay.status_code == 200
    again = replay.json()["results"]
    assert all(x["result"] == "duplicate" for x in again)
    # each reports what the scan with its id got the first time
    originals = [x["original"] for x in again]
    assert originals == [
        "recorded",
        "recorded",
        "already_marked",
        "unknown_credential",
        "rejected",
        "rejected",
        "no_session",
        "recorded",
    ]

    teacher = await login(client, "teacher1@demo.test")
    session = await session_of(client, teacher, school.s01)
    student1 = school.person("student1@demo.test")
    history = await client.get(
        f"/api/v1/attendance/sessions/{session['id']}/marks/{student1}/history", headers=teacher
    )
    assert history.status_code == 200
    assert len(history.json()) == 1  # marked exactly once
    board = (
        await client.get(f"/api/v1/attendance/sessions/{session['id']}/board", headers=teacher)
    ).json()
    assert board["tally"]["present"] == 2


async def test_malformed_batch_is_refused_naming_the_item(
    client: httpx.AsyncClient, school: School
) -> None:
    body = {
        "scans": [
            {"id": "ok", "credential": "CARD-1", "scanned_at": school_time(8, 1).isoformat()},
            {"id": "bad", "credential": "CARD-3", "scanned_at": "yesterday-ish"},
            {"id": "naive", "credential": "CARD-5", "scanned_at": "2026-01-01T08:00:00"},
        ]
    }
    r = await client.post(
        "/api/v1/attendance/scans", json=body, headers={"X-Device-Key": "demo-scanner-key"}
    )
    assert r.status_code == 422
    locs = [e["loc"] for e in r.json()["errors"]]
    assert ["body", "scans", 1, "scanned_at"] in locs
    assert ["body", "scans", 2, "scanned_at"] in locs
    # nothing was applied: the good item of the refused batch was not recorded
    again = await scan(client, ("ok", "CARD-1", school_time(8, 1)))
    assert again.json()["results"][0]["result"] == "recorded"


async def test_batch_limits_and_device_keys(client: httpx.AsyncClient, school: School) -> None:
    t = school_time(8, 1).isoformat()
    too_many = {
        "scans": [{"id": f"x{i}", "credential": "CARD-1", "scanned_at": t} for i in range(1001)]
    }
    r = await client.post(
        "/api/v1/attendance/scans", json=too_many, headers={"X-Device-Key": "demo-scanner-key"}
    )
    assert r.status_code == 422
    empty = await client.post(
        "/api/v1/attendance/scans", json={"scans": []}, headers={"X-Device-Key": "demo-scanner-key"}
    )
    assert empty.status_code == 422
    assert (
        await scan(client, ("k", "CARD-1", school_time(8, 1)), key="wrong-key")
    ).status_code == 401
    no_key = await client.post(
        "/api/v1/attendance/scans",
        json={"scans": [{"id": "k", "credential": "CARD-1", "scanned_at": t}]},
    )
    assert no_key.status_code == 401
    assert no_key.headers["content-type"].startswith("application/problem+json")


async def test_a_full_batch_of_a_thousand_is_accepted(
    client: httpx.AsyncClient, school: School
) -> None:
    t = school_time(8, 1)
    items = [(f"f{i}", f"CARD-{1 + i % 12}", t + timedelta(seconds=i % 60)) for i in range(1000)]
    r = await scan(client, *items)
    assert r.status_code == 200, r.text
    counts = r.json()["counts"]
    assert sum(counts.values()) == 1000
    # at 08:01–08:02 the odd students are expected in S01 and the even ones in S03 (both 08:00):
    # each of the twelve is marked exactly once, every other tap is `already_marked`
    assert counts == {"recorded": 12, "already_marked": 988}
