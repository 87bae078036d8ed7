"""Bad uploads and strangers get clear 4xx answers and change nothing."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from edtech.demo import DemoSummary, OtherSummary
from tests import databases
from tests.integration.files.helpers import EXE, FILES, PDF, PNG, attach, listed, submit_excuse
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
