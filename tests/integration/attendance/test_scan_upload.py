"""`POST /scans` is served ahead of FastAPI's stack; whatever it hands over, the documented
route answers, so both answer every request alike."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from edtech.attendance.api import SCANS_ROUTE
from tests.fast_routes import answer, stack_client
from tests.integration.attendance.helpers import KEY, School, scan, school_time

PATH = SCANS_ROUTE[1]


@pytest.fixture
async def stack(app: FastAPI, client: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    """FastAPI's stack of the node `client` talks to (running: its lifespan started)."""
    async with stack_client(app) as c:
        yield c


def item(scan_id: str, credential: str = "CARD-1", at: str | None = None) -> dict[str, str]:
    return {"id": scan_id, "credential": credential, "scanned_at": at or iso(8, 1)}


def iso(hour: int, minute: int) -> str:
    return school_time(hour, minute).isoformat()


BAD: list[tuple[str, dict[str, str], bytes]] = [
    ("no key", {"content-type": "application/json"}, json.dumps({"scans": [item("a")]}).encode()),
    (
        "wrong key",
        {"content-type": "application/json", "x-device-key": "nope"},
        json.dumps({"scans": [item("a")]}).encode(),
    ),
    (
        "bad item",
        {"content-type": "application/json", "x-device-key": KEY},
        json.dumps({"scans": [item("a"), item("b", at="yesterday-ish")]}).encode(),
    ),
    ("not JSON", {"content-type": "application/json", "x-device-key": KEY}, b'{"scans": ['),
    ("a list", {"content-type": "application/json", "x-device-key": KEY}, b"[]"),
    (
        "too many",
        {"content-type": "application/json", "x-device-key": KEY},
        json.dumps({"scans": [item(f"x{i}") for i in range(1001)]}).encode(),
    ),
    (
        "a NUL",
        {"content-type": "application/json", "x-device-key": KEY},
        json.dumps({"scans": [item("a", "CARD-\u0000")]}).encode(),
    ),
    (
        "plain text",
        {"content-type": "text/plain", "x-device-key": KEY},
        json.dumps({"scans": [item("a")]}).encode(),
    ),
]


@pytest.mark.parametrize(("case", "headers", "body"), BAD, ids=[b[0] for b in BAD])
async def test_refusals_read_exactly_as_the_documented_route_words_them(
    client: httpx.AsyncClient,
    stack: httpx.AsyncClient,
    school: School,
    case: str,
    headers: dict[str, str],
    body: bytes,
) -> None:
    raw = await client.post(PATH, content=body, headers=headers)
    documented = await stack.post(PATH, content=body, headers=headers)
    assert raw.status_code >= 400, case
    assert answer(raw) == answer(documented)
    assert raw.headers["x-request-id"]
    # and nothing was applied: the first item is still new
    assert (await scan(client, ("a", "CARD-1", school_time(8, 1)))).json()["counts"] == {
        "recorded": 1
    }


async def test_a_recorded_scan_reads_as_the_documented_route_words_it(
    client: httpx.AsyncClient, stack: httpx.AsyncClient, school: School
) -> None:
    headers = {"x-device-key": KEY}
    raw = await client.post(PATH, json={"scans": [item("r1", "CARD-1")]}, headers=headers)
    documented = await stack.post(PATH, json={"scans": [item("r3", "CARD-3")]}, headers=headers)
    assert raw.status_code == documented.status_code == 200
    assert raw.headers["content-type"] == documented.headers["content-type"]
    one, three = raw.json()["results"][0], documented.json()["results"][0]
    assert one.keys() == three.keys()
    assert (one["result"], one["category"]) == (three["result"], three["category"])
    assert one["student_id"] == str(school.person("student1@demo.test"))
    # a replay through the other path is the same scan
    again = await stack.post(PATH, json={"scans": [item("r1", "CARD-1")]}, headers=headers)
    assert again.json()["results"][0]["result"] == "duplicate"


async def test_a_chunked_upload_of_unknown_length_is_recorded(
    client: httpx.AsyncClient, school: School
) -> None:
    body = json.dumps({"scans": [item("c1", "CARD-5")]}).encode()

    async def chunks() -> AsyncIterator[bytes]:
        yield body[:10]
        yield body[10:]

    r = await client.post(
        PATH,
        content=chunks(),
        headers={"content-type": "application/json", "x-device-key": KEY},
    )
    assert r.status_code == 200, r.text
    assert r.json()["counts"] == {"recorded": 1}


async def test_a_body_over_the_limit_is_413_problem_json(
    client: httpx.AsyncClient, school: School
) -> None:
    big = b'{"scans": [' + b" " * (3 * 1024 * 1024) + b"]}"
    r = await client.post(
        PATH, content=big, headers={"content-type": "application/json", "x-device-key": KEY}
    )
    assert r.status_code == 413
    assert r.json()["code"] == "body_too_large"


async def test_of_repeated_device_keys_the_first_counts_on_both_paths(
    client: httpx.AsyncClient, stack: httpx.AsyncClient, school: School
) -> None:
    body = json.dumps({"scans": [item("d1")]}).encode()
    headers = [
        ("content-type", "application/json"),
        ("x-device-key", "nope"),
        ("x-device-key", KEY),
    ]
    raw = await client.post(PATH, content=body, headers=headers)
    documented = await stack.post(PATH, content=body, headers=headers)
    assert raw.status_code == 401
    assert answer(raw) == answer(documented)
