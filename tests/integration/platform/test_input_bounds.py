"""Numbers, dates, money and text at the edge are refused with a 422 problem, never a 500.

Issue #14, defects 3 and 7: a 64-bit offset, instants whose UTC lies outside years 1-9999,
invoice totals past 64-bit minor units, NUL characters, sessions longer than a day. Over real
HTTP, on both dialects (PostgreSQL is where most of these used to fail).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from edtech.demo import DemoSummary
from edtech.settings import Settings
from tests.integration.grades.helpers import make_book
from tests.integration.realtime.support import Client
from tests.roster import login
from tests.servers import LiveServer

HUGE_OFFSET = "9223372036854775808"
LATE = "9999-12-31T23:00:00-23:59"  # past year 9999 once in UTC
EARLY = "0001-01-01T00:00:00+23:59"  # before year 1 once in UTC


def _paginated_lists(app: FastAPI) -> list[str]:
    """Every GET operation of the OpenAPI document that takes an `offset` and a person's token
    (the OneRoster provider's `/ims/…` lists take an integration's client token; their `offset`
    is bounded the same way, `Query(le=MAX_OFFSET)`)."""
    return [
        path
        for path, operations in app.openapi()["paths"].items()
        if not path.startswith("/ims/")
        and any(p["name"] == "offset" for p in operations.get("get", {}).get("parameters", []))
    ]


def _problem(r: httpx.Response, *field: str) -> dict[str, Any]:
    assert r.status_code == 422, f"{r.request.method} {r.request.url}: {r.status_code} {r.text}"
    assert r.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = r.json()
    if field:
        assert any(tuple(e["loc"][-len(field) :]) == field for e in body["errors"]), body
    return body


OPERATOR_TOKEN = "operator-token-for-input-bounds-0123456789"
OPERATOR_LISTS = {"/api/v1/institutions", "/api/v1/institutions/{institution_id}/audit"}
"""Lists only a platform operator may read (everyone else is refused before paging)."""


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"bootstrap_token": OPERATOR_TOKEN})


async def test_a_huge_offset_is_refused_on_every_paginated_list(
    app: FastAPI, client: httpx.AsyncClient, demo: DemoSummary
) -> None:
    admin = await login(client, "admin@demo.test")
    operator = {"Authorization": f"Bearer {OPERATOR_TOKEN}"}
    paths = _paginated_lists(app)
    assert len(paths) >= 10, paths  # the walk found the lists
    for path in paths:
        url = path
        for name in ("{" + p + "}" for p in _path_params(path)):
            url = url.replace(name, str(demo.section_ids[0]))
        caller = operator if path in OPERATOR_LISTS else admin
        r = await client.get(url, params={"offset": HUGE_OFFSET}, headers=caller)
        _problem(r, "query", "offset")
    # The largest accepted offset answers an empty page.
    r = await client.get("/api/v1/people", params={"offset": 2**31 - 1}, headers=admin)
    assert r.status_code == 200, r.text
    assert r.json()["items"] == []


def _path_params(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]


@pytest.mark.parametrize("instant", [LATE, EARLY])
async def test_instants_outside_the_calendar_are_refused(
    client: httpx.AsyncClient, demo: DemoSummary, instant: str
) -> None:
    admin = await login(client, "admin@demo.test")
    any_id = str(uuid.uuid4())
    section = str(demo.section_ids[0])
    cases: list[tuple[str, dict[str, Any], tuple[str, ...]]] = [
        (
            "/api/v1/attendance/sessions",
            {"section_id": section, "starts_at": instant, "ends_at": instant},
            ("starts_at",),
        ),
        (
            f"/api/v1/billing/accounts/{any_id}/payments",
            {"amount": "5.00", "currency": "USD", "method": "cash", "received_at": instant},
            ("received_at",),
        ),
        (
            f"/api/v1/sections/{section}/assessments",
            {
                "title": "Quiz",
                "category_id": any_id,
                "grading_period_id": any_id,
                "scheme_id": any_id,
                "max_points": "10",
                "due_at": instant,
            },
            ("due_at",),
        ),
        (
            "/api/v1/announcements",
            {
                "title": "Hello",
                "body": "World",
                "audience": {"kind": "institution"},
                "publish_at": instant,
            },
            ("publish_at",),
        ),
        (
            "/api/v1/attendance/sessions/plan",
            {"first": instant[:10], "last": instant[:10]},
            ("first",),
        ),
    ]
    for path, body, field in cases:
        r = await client.post(
            path, json=body, headers={**admin, "Idempotency-Key": str(uuid.uuid4())}
        )
        _problem(r, *field)


async def test_invoice_amounts_are_bounded_to_what_the_ledger_holds(
    client: httpx.AsyncClient, demo: DemoSummary
) -> None:
    acc = await login(client, "accountant@demo.test")
    student = str(demo.person("student1@demo.test"))
    r = await client.post(
        "/api/v1/billing/accounts",
        json={"name": "F", "students": [{"student_id": student}]},
        headers={**acc, "Idempotency-Key": str(uuid.uuid4())},
    )
    assert r.status_code == 201, r.text
    account = r.json()["id"]
    lines = [{"description": f"line {i}", "amount": "999999999999999.99"} for i in range(93)]
    r = await client.post(
        "/api/v1/billing/invoices",
        json={"account_id": account, "due_on": "2030-01-01", "lines": lines},
        headers={**acc, "Idempotency-Key": str(uuid.uuid4())},
    )
    body = _problem(r)
    assert "largest amount" in body["detail"]
    # The largest amount itself is taken, 200 times, and adds up exactly.
    lines = [{"description": f"line {i}", "amount": "100000000000.00"} for i in range(200)]
    r = await client.post(
        "/api/v1/billing/invoices",
        json={"account_id": account, "due_on": "2030-01-01", "lines": lines},
        headers={**acc, "Idempotency-Key": str(uuid.uuid4())},
    )
    assert r.status_code == 201, r.text
    assert r.json()["total"]["minor"] == 200 * 10**13


# Inputs as long as their columns hold: what PostgreSQL refused at the insert (a 500) is a 422
# at the edge, or kept within the column, on both dialects (SQLite stores any length). Found by
# comparing every string and decimal field of the OpenAPI document with its column.


async def test_a_grade_level_and_a_relationship_fit_their_columns(
    client: httpx.AsyncClient, demo: DemoSummary
) -> None:
    admin = await login(client, "admin@demo.test")
    person = {"given_name": "A", "family_name": "B"}
    r = await client.post("/api/v1/people", json={**person, "grade_level": "G" * 17}, headers=admin)
    _problem(r, "body", "grade_level")
    r = await client.patch(
        f"/api/v1/people/{demo.student1_id}", json={"grade_level": "G" * 17}, headers=admin
    )
    _problem(r, "body", "grade_level")
    r = await client.post("/api/v1/people", json={**person, "grade_level": "G" * 16}, headers=admin)
    assert (r.status_code, r.json()["grade_level"]) == (201, "G" * 16), r.text

    guardian = {"given_name": "Gu", "family_name": "Ard", "roles": [{"role": "guardian"}]}
    guardian_id = (await client.post("/api/v1/people", json=guardian, headers=admin)).json()["id"]
    link = {"student_id": str(demo.student1_id), "guardian_id": guardian_id}
    r = await client.post(
        "/api/v1/guardian-links", json={**link, "relationship": "r" * 33}, headers=admin
    )
    _problem(r, "body", "relationship")
    r = await client.post(
        "/api/v1/guardian-links", json={**link, "relationship": "r" * 32}, headers=admin
    )
    assert r.status_code == 201, r.text
    r = await client.patch(
        f"/api/v1/guardian-links/{r.json()['id']}", json={"relationship": "r" * 33}, headers=admin
    )
    _problem(r, "body", "relationship")


async def test_a_currency_or_a_locale_with_a_final_newline_is_refused(
    client: httpx.AsyncClient, demo: DemoSummary
) -> None:
    admin = await login(client, "admin@demo.test")
    for field, value in (("currency", "EUR\n"), ("locale", "en-US\n")):
        r = await client.patch("/api/v1/institutions/me", json={field: value}, headers=admin)
        _problem(r, field)
    me = (await client.get("/api/v1/institutions/me", headers=admin)).json()
    assert "\n" not in me["currency"] + me["locale"]


async def test_a_pass_mark_has_at_most_four_decimal_places(
    client: httpx.AsyncClient, demo: DemoSummary
) -> None:
    teacher = await login(client, "teacher1@demo.test")
    scheme = {"name": "PF", "kind": "pass_fail"}
    r = await client.post(
        "/api/v1/grade-schemes", json={**scheme, "pass_percent": "50." + "0" * 45}, headers=teacher
    )
    _problem(r, "pass_percent")
    r = await client.post(
        "/api/v1/grade-schemes", json={**scheme, "pass_percent": "50.1234"}, headers=teacher
    )
    assert (r.status_code, r.json()["pass_percent"]) == (201, "50.1234"), r.text


async def test_a_teacher_with_the_longest_names_publishes_and_is_named_within_the_column(
    client: httpx.AsyncClient, demo: DemoSummary, database_url: str
) -> None:
    """Given and family names of 100 characters each make a 201-character name: the history
    kept it cut by PostgreSQL's cast on one dialect and whole on the other, and the
    publication's insert failed (a 500)."""
    admin = await login(client, "admin@demo.test")
    long_name = {"given_name": "G" * 100, "family_name": "F" * 100}
    r = await client.patch(f"/api/v1/people/{demo.teacher1_id}", json=long_name, headers=admin)
    assert r.status_code == 200, r.text
    book = await make_book(client, demo, database_url)
    student = book.students[0]
    r = await client.put(
        f"/api/v1/assessments/{book.homework1}/results/{student}",
        json={"value": "8", "version": 0},
        headers=book.teacher,
    )
    assert r.status_code == 200, r.text
    r = await client.post(
        f"/api/v1/assessments/{book.homework1}/publications",
        json={"scope": "all"},
        headers={**book.teacher, "Idempotency-Key": str(uuid.uuid4())},
    )
    assert r.status_code == 201, r.text
    name = "G" * 100 + " " + "F" * 98 + "…"
    assert r.json()["published_by_name"] == name
    r = await client.get(f"/api/v1/assessments/{book.homework1}/history", headers=book.teacher)
    assert r.status_code == 200, r.text
    assert {c["actor_name"] for c in r.json()["items"]} == {name}


async def test_nul_characters_are_refused_in_bodies_forms_and_queries(
    client: httpx.AsyncClient, demo: DemoSummary
) -> None:
    admin = await login(client, "admin@demo.test")
    r = await client.post(
        "/api/v1/people", json={"given_name": "A\u0000B", "family_name": "C"}, headers=admin
    )
    body = _problem(r, "body")
    assert body["code"] == "nul_character"
    r = await client.get("/api/v1/people", params={"q": "a\x00b"}, headers=admin)
    _problem(r, "query", "q")
    r = await client.post(
        "/api/v1/auth/token", data={"username": "admin@demo.test\x00", "password": "x"}
    )
    _problem(r, "body")
    # An escaped backslash before "u0000" is plain text, not a NUL.
    r = await client.post(
        "/api/v1/people", json={"given_name": "A\\u0000B", "family_name": "C"}, headers=admin
    )
    assert r.status_code == 201, r.text
    assert r.json()["given_name"] == "A\\u0000B"


async def test_a_session_longer_than_a_day_is_refused(
    client: httpx.AsyncClient, demo: DemoSummary
) -> None:
    admin = await login(client, "admin@demo.test")
    r = await client.post(
        "/api/v1/attendance/sessions",
        json={
            "section_id": str(demo.section_ids[0]),
            "starts_at": "2030-01-07T08:00:00+00:00",
            "ends_at": "2030-01-08T08:00:01+00:00",
        },
        headers=admin,
    )
    body = _problem(r)
    assert "at most a day" in str(body["errors"])


async def test_roster_dates_outside_the_calendar_are_refused(
    client: httpx.AsyncClient, demo: DemoSummary
) -> None:
    admin = await login(client, "admin@demo.test")
    section = demo.section_ids[0]
    r = await client.get(
        f"/api/v1/sections/{section}/meetings",
        params={"from": "9999-12-31", "to": "9999-12-31"},
        headers=admin,
    )
    _problem(r, "query", "from")
    r = await client.post(
        "/api/v1/terms",
        json={
            "kind": "school_year",
            "title": "Far",
            "starts_on": "0001-01-01",
            "ends_on": "9999-12-31",
        },
        headers=admin,
    )
    _problem(r, "body", "starts_on")


async def test_lone_surrogates_are_refused_in_json_bodies(
    client: httpx.AsyncClient, demo: DemoSummary
) -> None:
    """The route's parser takes `"\\ud800"` as text that neither database can store (it was a
    500 at the insert); a pair is one character and goes through."""
    admin = {**await login(client, "admin@demo.test"), "content-type": "application/json"}

    async def people(*chunks: bytes) -> httpx.Response:
        async def body() -> AsyncIterator[bytes]:
            for chunk in chunks:
                yield chunk

        return await client.post("/api/v1/people", content=body(), headers=admin)

    before = (await client.get("/api/v1/people", headers=admin)).json()["total"]
    for chunks in (
        (b'{"given_name": "A\\ud800B", "family_name": "C"}',),
        (b'{"given_name": "A", "family_name": "\\ude00\\ud83d"}',),
        (b'{"given_name": "A\\u', b'd800B", "family_name": "C"}'),  # across two chunks
        (b'{"given_name": "A\\ud83d', b'", "family_name": "C"}'),  # a half, then the end
        tuple(bytes([b]) for b in b'{"given_name": "\\ud800", "family_name": "C"}'),  # 1 byte
    ):
        body = _problem(await people(*chunks), "body")
        assert body["code"] == "lone_surrogate", body
    assert (await client.get("/api/v1/people", headers=admin)).json()["total"] == before
    r = await people(b'{"given_name": "A\\ud83d', b'\\ude00B", "family_name": "\\\\ud800"}')
    assert r.status_code == 201, r.text  # a pair across two chunks; an escaped backslash
    assert (r.json()["given_name"], r.json()["family_name"]) == ("A😀B", "\\ud800")


async def _chatting(
    client: httpx.AsyncClient, live_server: LiveServer, demo: DemoSummary
) -> tuple[dict[str, str], str, Client]:
    """A guardian's headers, a conversation with a teacher, and a socket subscribed to it."""
    guardian = await login(client, "guardian1@demo.test")
    r = await client.post(
        "/api/v1/conversations",
        json={"kind": "direct", "participant_ids": [str(demo.teacher1_id)]},
        headers=guardian,
    )
    assert r.status_code == 201, r.text
    conversation = r.json()["id"]
    socket = await Client.open(live_server.ws_url, guardian["Authorization"].split()[1])
    assert (await socket.subscribe(f"chat.conversation.{conversation}"))["ok"] is True
    return guardian, conversation, socket


async def test_nul_characters_are_refused_over_the_websocket(
    client: httpx.AsyncClient, live_server: LiveServer, demo: DemoSummary
) -> None:
    guardian, conversation, socket = await _chatting(client, live_server, demo)
    channel = f"chat.conversation.{conversation}"
    try:
        reply = await socket.request("send", channel=channel, id="n-1", data={"body": "a\u0000b"})
        assert (reply["ok"], reply["error"]["code"]) == (False, "invalid"), reply
        reply = await socket.request("send", channel=channel, id="n-2", data={"body": "a\\u0000b"})
        assert reply["ok"] is True, reply  # an escaped backslash: plain text
    finally:
        await socket.close()
    messages = await client.get(f"/api/v1/conversations/{conversation}/messages", headers=guardian)
    assert [m["body"] for m in messages.json()["items"]] == ["a\\u0000b"]


async def test_lone_surrogates_are_refused_over_the_websocket(
    client: httpx.AsyncClient, live_server: LiveServer, demo: DemoSummary
) -> None:
    """`json` reads `"\\ud800"` as text no database can store; the frame is refused, the socket
    and the escapes that are text (a surrogate pair, an escaped backslash) go on."""
    guardian, conversation, socket = await _chatting(client, live_server, demo)
    channel = f"chat.conversation.{conversation}"
    try:
        for i, body in enumerate(("a\ud800b", "\udc00", "\ude00\ud83d")):  # `json` escapes them
            reply = await socket.request("send", channel=channel, id=f"s-{i}", data={"body": body})
            assert (reply["ok"], reply["error"]["code"]) == (False, "invalid"), reply
            assert reply["error"]["message"] == "Text with a lone surrogate."
        reply = await socket.request("send", channel=channel, id="k", data={"b\ud800": "x"})
        assert (reply["ok"], reply["error"]["code"]) == (False, "invalid"), reply
        for i, body in enumerate(("a😀b", "a\\ud800b")):  # a pair; an escaped backslash
            reply = await socket.request("send", channel=channel, id=f"t-{i}", data={"body": body})
            assert reply["ok"] is True, reply
    finally:
        await socket.close()
    messages = await client.get(f"/api/v1/conversations/{conversation}/messages", headers=guardian)
    assert [m["body"] for m in messages.json()["items"]] == ["a\\ud800b", "a😀b"]


async def test_a_refused_frame_echoing_a_lone_surrogate_is_answered_and_the_socket_goes_on(
    client: httpx.AsyncClient, live_server: LiveServer, demo: DemoSummary
) -> None:
    """The error reply echoes the frame's `ref` (and names a field it refuses): one holding a
    lone surrogate made the reply unsendable, and the socket fell silent — open, answering
    nothing, with no close code."""
    _, conversation, socket = await _chatting(client, live_server, demo)
    channel = f"chat.conversation.{conversation}"
    try:
        for frame in (
            {"op": "ping", "ref": "\ud800", "extra": 1},  # refused: an unknown field
            {"op": "typing", "ref": "r\udfff", "channel": "Not A Channel"},
            {"op": "subscribe", "ref": "k", "channel": channel, "\ud800": 1},  # named in the reply
        ):
            await socket.ws.send(json.dumps(frame))
            reply = await socket.until(lambda f: f.get("op") == "reply")
            assert (reply["ok"], reply["error"]["code"]) == (False, "bad_frame"), reply
            assert reply["ref"] == frame["ref"]
            assert (await socket.request("ping"))["op"] == "pong"  # the socket goes on
    finally:
        await socket.close()
