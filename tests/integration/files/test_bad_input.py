"""Bad uploads and strangers get clear 4xx answers and change nothing."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from edtech.demo import DemoSummary, OtherSummary
from tests import databases
from tests.integration.files.helpers import (
    EXE,
    FILES,
    PDF,
    PNG,
    attach,
    declaration,
    listed,
    request_slot,
    submit_excuse,
)
from tests.integration.grades.helpers import ok
from tests.roster import login


@pytest.fixture
def database_url(sqlite_template: Path, tmp_path: Path) -> str:
    """SQLite only: nothing here depends on the database (the acceptance runs both)."""
    return databases.fresh_sqlite(sqlite_template, tmp_path)


async def test_bad_uploads_are_refused_with_a_reason_and_strangers_get_404(
    client: httpx.AsyncClient, demo: DemoSummary, other_institution: OtherSummary
) -> None:
    guardian = await login(client, "guardian1@demo.test")
    officer = await login(client, "officer@demo.test")
    excuse = await submit_excuse(client, guardian, demo.person("student1@demo.test"), "Flu")
    cases = [
        ("setup.pdf", EXE, 415, "file_type_refused"),  # an .exe named .pdf
        ("photo.pdf", PNG, 415, "file_type_refused"),  # a PNG named as a PDF
        ("empty.pdf", b"", 422, "invalid"),
        ("../../etc/passwd.pdf", PDF, 422, "invalid"),
        ("notes\\note.pdf", PDF, 422, "invalid"),
        (".hidden.pdf", PDF, 422, "invalid"),
        ("big.pdf", PDF + b"\0" * 1_600_000, 413, "file_too_large"),
    ]
    for name, data, status, code in cases:
        r = await attach(client, excuse["id"], guardian, name, data)
        assert r.status_code == status, (name, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["code"] == code
        assert r.json()["detail"]
    assert await listed(client, officer, record_type="excuse", record_id=excuse["id"]) == []

    note = await attach(client, excuse["id"], guardian, "note.png", PNG)
    assert note.status_code == 201
    assert note.json()["content_type"] == "image/png"
    # another tenant's administrator: no such file, no such note
    stranger = await login(client, "admin@other.test")
    assert (await client.get(f"{FILES}/{note.json()['id']}", headers=stranger)).status_code == 404
    assert (await client.get(note.json()["download"], headers=stranger)).status_code == 404
    assert (await attach(client, excuse["id"], stranger, "x.pdf", PDF)).status_code == 404
    assert await listed(client, stranger) == []


async def test_a_stranger_is_told_the_note_does_not_exist_before_their_file_is_judged(
    client: httpx.AsyncClient, demo: DemoSummary
) -> None:
    guardian = await login(client, "guardian1@demo.test")
    other_family = await login(client, "guardian7@demo.test")
    excuse = await submit_excuse(client, guardian, demo.person("student1@demo.test"), "Flu")
    # what would be 415, 413, 422 for the note's author is 404 for another family
    for name, data in (("setup.pdf", EXE), ("big.pdf", PDF + b"\0" * 1_600_000), ("e.pdf", b"")):
        assert (await attach(client, excuse["id"], guardian, name, data)).status_code in (
            413,
            415,
            422,
        )
        r = await attach(client, excuse["id"], other_family, name, data)
        assert r.status_code == 404, (name, r.text)
    no_file = await client.post(f"{FILES}/excuse-notes/{excuse['id']}", headers=other_family)
    assert no_file.status_code == 404
    assert (
        await client.post(f"{FILES}/excuse-notes/{excuse['id']}", headers=guardian)
    ).status_code == 422
    for body in ({}, {"filename": "x.exe", "content_type": "application/x-msdownload"}):
        r = await request_slot(client, excuse["id"], other_family, body)
        assert r.status_code == 404, r.text
        assert (await request_slot(client, excuse["id"], guardian, body)).status_code in (415, 422)


async def test_bad_upload_declarations_are_refused_with_a_reason(
    client: httpx.AsyncClient, demo: DemoSummary
) -> None:
    guardian = await login(client, "guardian1@demo.test")
    excuse = await submit_excuse(client, guardian, demo.person("student1@demo.test"), "Flu")
    good = declaration("note.pdf", PDF)
    cases = [
        ({**good, "content_type": "application/x-msdownload"}, 415, "file_type_refused"),
        ({**good, "filename": "note.png"}, 415, "file_type_refused"),  # the name says otherwise
        ({**good, "size_bytes": 1_600_000}, 413, "file_too_large"),
        ({**good, "size_bytes": 0}, 422, "invalid"),
        ({**good, "sha256": "not-a-checksum"}, 422, "invalid"),
        ({**good, "filename": "../note.pdf"}, 422, "invalid"),
    ]
    for body, status, code in cases:
        r = await request_slot(client, excuse["id"], guardian, body)
        assert r.status_code == status, (body, r.text)
        assert r.json()["code"] == code


async def test_a_signed_upload_url_is_good_for_its_own_upload_only(
    client: httpx.AsyncClient, demo: DemoSummary, other_institution: OtherSummary
) -> None:
    guardian = await login(client, "guardian1@demo.test")
    excuse = await submit_excuse(client, guardian, demo.person("student1@demo.test"), "Flu")
    a = ok(await request_slot(client, excuse["id"], guardian, declaration("a.pdf", PDF)), 201)
    b = ok(await request_slot(client, excuse["id"], guardian, declaration("b.pdf", PDF)), 201)
    query = urlsplit(a["url"]).query
    expires = parse_qs(query)["expires"][0]
    forged = [
        f"{FILES}/uploads/{b['id']}/content?{query}",  # a's signature on b
        a["url"].replace(f"expires={expires}", f"expires={int(expires) + 3600}"),  # longer life
        a["url"][:-4] + "0000",  # another signature
        a["url"][:-4] + "%C3%A9%C3%A9",  # past ASCII: hmac refused to compare it (a 500)
    ]
    for url in forged:
        r = await client.put(url, content=PDF, headers=a["headers"])
        assert r.status_code == 403, (url, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
    for slot in (a, b):
        missing = await client.post(slot["confirm"], headers=guardian)
        assert missing.json()["code"] == "upload_missing"
    assert (await client.put(a["url"], content=PDF, headers=a["headers"])).status_code == 204
    ok(await client.post(a["confirm"], headers=guardian), 201)
    # another tenant's administrator cannot confirm it or see it
    stranger = await login(client, "admin@other.test")
    assert (await client.post(b["confirm"], headers=stranger)).status_code == 404
