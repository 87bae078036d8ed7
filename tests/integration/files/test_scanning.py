"""Uploads on a node with a malware scanner (EDTECH_CLAMD_URL) — a server speaking clamd's
INSTREAM protocol on loopback, since ClamAV's signatures cannot be downloaded here (see
clamd.py). Infected files are refused; while the scanner is down nothing is accepted (503)
and directly uploaded bytes wait in quarantine until it answers again."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from edtech.demo import DemoSummary
from edtech.settings import Settings
from tests.integration.files.clamd import EICAR, FakeClamd
from tests.integration.files.helpers import (
    PDF,
    attach,
    declaration,
    listed,
    request_slot,
    send_bytes,
    submit_excuse,
)
from tests.integration.grades.helpers import ok
from tests.roster import login

INFECTED = b"%PDF-1.4\n" + EICAR + b"\n%%EOF\n"


@pytest.fixture
def clamd() -> Iterator[FakeClamd]:
    server = FakeClamd()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def settings(settings: Settings, clamd: FakeClamd) -> Settings:
    return settings.model_copy(update={"clamd_url": clamd.url})


async def test_uploads_are_scanned_and_an_infected_file_is_refused(
    client: httpx.AsyncClient, demo: DemoSummary, clamd: FakeClamd
) -> None:
    guardian = await login(client, "guardian1@demo.test")
    officer = await login(client, "officer@demo.test")
    excuse = await submit_excuse(client, guardian, demo.person("student1@demo.test"), "Flu")

    bad = await attach(client, excuse["id"], guardian, "note.pdf", INFECTED)
    assert bad.status_code == 422, bad.text
    assert bad.json()["code"] == "file_infected"
    assert "Eicar-Test-Signature" in bad.text
    good = ok(await attach(client, excuse["id"], guardian, "note.pdf", PDF), 201)
    assert clamd.scanned == [INFECTED, PDF]  # every byte went to the scanner

    slot = ok(
        await request_slot(client, excuse["id"], guardian, declaration("x.pdf", INFECTED)), 201
    )
    assert (await send_bytes(client, slot, INFECTED)).status_code in (200, 204)
    refused = await client.post(slot["confirm"], headers=guardian)
    assert refused.status_code == 422
    assert refused.json()["code"] == "file_infected"
    seen = await listed(client, officer, record_type="excuse", record_id=excuse["id"])
    assert [f["id"] for f in seen] == [good["id"]]


async def test_while_the_scanner_is_down_uploads_answer_503_and_wait_in_quarantine(
    client: httpx.AsyncClient, demo: DemoSummary, clamd: FakeClamd
) -> None:
    guardian = await login(client, "guardian1@demo.test")
    officer = await login(client, "officer@demo.test")
    excuse = await submit_excuse(client, guardian, demo.person("student1@demo.test"), "Flu")
    slot = ok(await request_slot(client, excuse["id"], guardian, declaration("n.pdf", PDF)), 201)
    assert (await send_bytes(client, slot, PDF)).status_code in (200, 204)

    clamd.stop()
    down = await attach(client, excuse["id"], guardian, "note.pdf", PDF)
    assert down.status_code == 503, down.text
    assert down.json()["code"] == "scanner_unavailable"
    held = await client.post(slot["confirm"], headers=guardian)
    assert held.status_code == 503
    assert held.json()["code"] == "scanner_unavailable"
    assert await listed(client, officer, record_type="excuse", record_id=excuse["id"]) == []

    clamd.start()
    file = ok(await client.post(slot["confirm"], headers=guardian), 201)  # still there
    assert file["id"] == slot["id"]
    seen = await listed(client, officer, record_type="excuse", record_id=excuse["id"])
    assert [f["id"] for f in seen] == [file["id"]]
