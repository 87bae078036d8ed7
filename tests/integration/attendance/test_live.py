"""The live pipeline: scan → board socket, close → guardian notices, excuse → excused, live."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx

from tests.integration.attendance.helpers import School, Socket, scan, school_time, session_of
from tests.roster import login


async def test_a_scan_reaches_the_teachers_board_socket_as_late_with_minutes(
    client: httpx.AsyncClient, live_server: object, school: School
) -> None:
    teacher = await login(client, "teacher1@demo.test")
    session = await session_of(client, teacher, school.s01)
    ws = await Socket.open(live_server.ws_url, teacher)  # type: ignore[attr-defined]
    try:
        reply = await ws.subscribe(f"attendance.session.{session['id']}")
        assert reply["ok"], reply
        await scan(client, ("late-1", "CARD-1", school_time(8, 9, 59)))
        event = await ws.event("attendance.scan_recorded")
        mark = event["data"]["mark"]
        assert event["data"]["student_id"] == str(school.person("student1@demo.test"))
        assert (mark["category"], mark["minutes_late"], mark["official_code"]) == ("tardy", 9, "T")
    finally:
        await ws.close()


async def test_only_the_sections_teachers_and_attendance_staff_may_subscribe(
    client: httpx.AsyncClient, live_server: object, school: School
) -> None:
    officer = await login(client, "officer@demo.test")
    session = await session_of(client, officer, school.s01)
    channel = f"attendance.session.{session['id']}"
    for email, allowed in (
        ("officer@demo.test", True),
        ("teacher2@demo.test", False),
        ("student1@demo.test", False),
        ("guardian1@demo.test", False),
    ):
        ws = await Socket.open(live_server.ws_url, await login(client, email))  # type: ignore[attr-defined]
        try:
            assert (await ws.subscribe(channel))["ok"] is allowed, email
        finally:
            await ws.close()


async def test_board_snapshot_then_subscribe_since_its_offset_loses_and_repeats_nothing(
    client: httpx.AsyncClient, live_server: object, school: School
) -> None:
    teacher = await login(client, "teacher1@demo.test")
    session = await session_of(client, teacher, school.s01)
    await scan(client, ("s0", "CARD-1", school_time(8, 0)))  # the channel has a history now
    cards = [3, 5, 7, 9, 11]

    async def keep_scanning() -> None:
        for n in cards:
            await scan(client, (f"s{n}", f"CARD-{n}", school_time(8, n)))

    scanning = asyncio.create_task(keep_scanning())
    await asyncio.sleep(0.05)
    board = (
        await client.get(f"/api/v1/attendance/sessions/{session['id']}/board", headers=teacher)
    ).json()
    seen = {m["student_id"] for m in board["marks"] if m["category"]}
    ws = await Socket.open(live_server.ws_url, teacher)  # type: ignore[attr-defined]
    try:
        reply = await ws.subscribe(
            board["channel"]["name"],
            since={"offset": board["channel"]["offset"], "epoch": board["channel"]["epoch"]},
        )
        assert reply["ok"], reply
        await scanning
        expected_scans = len(cards) - len(seen)

        def scans() -> list[dict[str, object]]:
            return [e for e in ws.events if e["type"] == "attendance.scan_recorded"]

        if len(scans()) < expected_scans:
            await ws.until(lambda _f: len(scans()) >= expected_scans, timeout=15)
        await ws.quiet(0.3)
        offsets = [e["offset"] for e in ws.events]
        assert offsets == list(
            range(board["channel"]["offset"] + 1, board["channel"]["offset"] + 1 + len(offsets))
        )
        applied = {e["data"]["student_id"] for e in scans()}  # type: ignore[index]
        assert not applied & seen  # nothing in the snapshot comes again
        everyone = {str(school.person(f"student{n}@demo.test")) for n in [1, *cards]}
        assert applied | seen == everyone
    finally:
        await ws.close()


async def test_closing_marks_the_rest_absent_and_tells_entitled_guardians_only(
    client: httpx.AsyncClient, live_server: object, school: School
) -> None:
    ws_url = live_server.ws_url  # type: ignore[attr-defined]
    officer = await login(client, "officer@demo.test")
    s01 = await session_of(client, officer, school.s01)
    s03 = await session_of(client, officer, school.demo.section_ids[2])
    await scan(client, ("c3", "CARD-3", school_time(8, 2)))

    sockets = {}
    for email in (
        "guardian1@demo.test",
        "student1@demo.test",
        "guardian2@demo.test",
        "guardian14@demo.test",
        "guardian3@demo.test",
    ):
        ws = await Socket.open(ws_url, await login(client, email))
        assert (await ws.subscribe(f"user.{school.person(email)}"))["ok"]
        sockets[email] = ws
    try:
        closed = await client.post(
            f"/api/v1/attendance/sessions/{s01['id']}/close", headers=officer
        )
        assert closed.status_code == 200
        assert closed.json()["state"] == "closed"
        notice = await sockets["guardian1@demo.test"].event("attendance.absence_reported")
        assert notice["data"]["student_id"] == str(school.person("student1@demo.test"))
        assert notice["data"]["category"] == "absent"
        assert notice["data"]["code"] == "A"
        assert "recipients" not in notice["data"]
        own = await sockets["student1@demo.test"].event("attendance.absence_reported")
        assert own["data"]["session_id"] == s01["id"]

        # student2 (S03): guardian2 is under a custody restriction, guardian14 is not
        await client.post(f"/api/v1/attendance/sessions/{s03['id']}/close", headers=officer)
        told = await sockets["guardian14@demo.test"].event("attendance.absence_reported")
        assert told["data"]["student_id"] == str(school.person("student2@demo.test"))
        await sockets["guardian2@demo.test"].quiet(0.5)
        assert sockets["guardian2@demo.test"].events == []
        # student3 was on time: their guardian hears nothing
        await sockets["guardian3@demo.test"].quiet(0.2)
        assert sockets["guardian3@demo.test"].events == []

        board = (
            await client.get(f"/api/v1/attendance/sessions/{s01['id']}/board", headers=officer)
        ).json()
        assert board["tally"]["unmarked"] == 0
        assert board["tally"]["present"] == 1
        assert board["tally"]["absent"] == board["tally"]["expected"] - 1
        late_scan = await scan(client, ("c1", "CARD-1", school_time(8, 19)))
        assert late_scan.json()["results"][0]["result"] == "session_closed"
    finally:
        for ws in sockets.values():
            await ws.close()


async def test_an_approved_excuse_turns_the_absence_excused_live_on_both_sides(
    client: httpx.AsyncClient, live_server: object, school: School
) -> None:
    ws_url = live_server.ws_url  # type: ignore[attr-defined]
    officer = await login(client, "officer@demo.test")
    teacher = await login(client, "teacher1@demo.test")
    guardian = await login(client, "guardian1@demo.test")
    student1 = school.person("student1@demo.test")
    s01 = await session_of(client, officer, school.s01)
    await client.post(f"/api/v1/attendance/sessions/{s01['id']}/close", headers=officer)

    today = school.clock.now().date()
    body = {
        "student_id": str(student1),
        "starts_on": today.isoformat(),
        "ends_on": today.isoformat(),
        "reason": "Dentist",
        "attachment_ref": "files/note.pdf",
    }
    # a guardian under a custody restriction, or of another child, cannot report for student1
    assert (
        await client.post(
            "/api/v1/attendance/excuses",
            json=body,
            headers=await login(client, "guardian2@demo.test"),
        )
    ).status_code == 404
    bad = await client.post(
        "/api/v1/attendance/excuses",
        json=body | {"ends_on": (today - timedelta(days=1)).isoformat()},
        headers=guardian,
    )
    assert bad.status_code == 422
    submitted = await client.post("/api/v1/attendance/excuses", json=body, headers=guardian)
    assert submitted.status_code == 201
    assert submitted.json()["state"] == "pending"
    excuse_id = submitted.json()["id"]
    pending = (
        await client.get("/api/v1/attendance/excuses", params={"state": "pending"}, headers=officer)
    ).json()
    assert [e["id"] for e in pending["items"]] == [excuse_id]

    board_ws = await Socket.open(ws_url, teacher)
    inbox = await Socket.open(ws_url, guardian)
    try:
        assert (await board_ws.subscribe(f"attendance.session.{s01['id']}"))["ok"]
        assert (await inbox.subscribe(f"user.{school.person('guardian1@demo.test')}"))["ok"]
        assert (
            await client.post(
                f"/api/v1/attendance/excuses/{excuse_id}/decision",
                json={"approve": True},
                headers=teacher,
            )
        ).status_code == 403
        decided = await client.post(
            f"/api/v1/attendance/excuses/{excuse_id}/decision",
            json={"approve": True, "note": "Thanks"},
            headers=officer,
        )
        assert decided.status_code == 200
        assert decided.json()["state"] == "approved"
        changed = await board_ws.event("attendance.mark_changed")
        assert changed["data"]["student_id"] == str(student1)
        assert (changed["data"]["mark"]["category"], changed["data"]["mark"]["official_code"]) == (
            "excused_absence",
            "E",
        )
        told = await inbox.event("attendance.excuse_decided")
        assert (told["data"]["decision"], told["data"]["excused_marks"], told["data"]["note"]) == (
            "approved",
            1,
            "Thanks",
        )
        again = await client.post(
            f"/api/v1/attendance/excuses/{excuse_id}/decision",
            json={"approve": False},
            headers=officer,
        )
        assert again.status_code == 409
    finally:
        await board_ws.close()
        await inbox.close()

    history = (
        await client.get(
            f"/api/v1/attendance/sessions/{s01['id']}/marks/{student1}/history", headers=officer
        )
    ).json()
    assert [h["after"]["official_code"] for h in history] == ["A", "E"]
    assert "approved" in history[-1]["reason"]
