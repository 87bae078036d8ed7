"""Direct uploads: a slot, the bytes sent straight to the store, a confirmation that judges
them — on the embedded default (a directory, the node's signed route) and on a real S3 API
(moto's server on loopback, presigned PUT URLs).

moto's server mode checks neither presigned signatures nor their expiry: bytes PUT to an
expired URL are stored by it. The node does not rely on the store for that — a slot is dead
once it expires, so its confirmation is refused (410) and its bytes deleted — and that is what
these tests check on S3; a real S3 refuses the PUT itself as well.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi import FastAPI

from edtech.app import create_app
from edtech.demo import DemoSummary
from edtech.files.jobs import sweep_uploads
from edtech.kernel.clock import FixedClock
from edtech.platform.storage import ObjectMissingError, ObjectStorage
from edtech.settings import Settings
from tests.integration.files.helpers import (
    EXE,
    FILES,
    PDF,
    declaration,
    download,
    listed,
    request_slot,
    send_bytes,
    submit_excuse,
)
from tests.integration.grades.helpers import ok
from tests.roster import login

TTL = 900  # EDTECH_FILES_UPLOAD_TTL_SECONDS's default


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime.now(UTC))


@pytest.fixture
def app(settings: Settings, clock: FixedClock) -> FastAPI:
    return create_app(settings, clock=clock)


def store_of(app: FastAPI) -> ObjectStorage:
    return app.state.services.components.get(ObjectStorage)  # type: ignore[no-any-return]


async def stored(app: FastAPI, demo: DemoSummary, upload_id: str) -> bool:
    """Whether the store holds an object under the upload's key."""
    try:
        await store_of(app).stat(f"{demo.institution_id}/{upload_id}")
    except ObjectMissingError:
        return False
    return True


async def test_a_direct_upload_goes_to_the_store_and_is_a_file_once_confirmed(
    client: httpx.AsyncClient, app: FastAPI, demo: DemoSummary, storage_url: str
) -> None:
    guardian = await login(client, "guardian1@demo.test")
    officer = await login(client, "officer@demo.test")
    excuse = await submit_excuse(client, guardian, demo.person("student1@demo.test"), "Flu")

    slot = ok(await request_slot(client, excuse["id"], guardian, declaration("note.pdf", PDF)), 201)
    assert slot["method"] == "PUT"
    assert slot["confirm"] == f"{FILES}/uploads/{slot['id']}/confirm"
    if storage_url.startswith("s3://"):  # presigned: length, type and checksum are signed
        query = parse_qs(urlsplit(slot["url"]).query)
        assert query["X-Amz-Expires"] == [str(TTL)]
        signed = query["X-Amz-SignedHeaders"][0].split(";")
        assert {"content-length", "content-type", "x-amz-checksum-sha256"} <= set(signed)
        assert slot["headers"]["Content-Length"] == str(len(PDF))
    else:  # the node's own route, signed until the slot expires
        assert slot["url"].startswith(f"{FILES}/uploads/{slot['id']}/content?expires=")
    sent = await send_bytes(client, slot, PDF)
    assert sent.status_code in (200, 204), sent.text
    assert await stored(app, demo, slot["id"])

    # quarantined until confirmed: nobody lists or reads it
    assert await listed(client, officer, record_type="excuse", record_id=excuse["id"]) == []
    assert (await client.get(f"{FILES}/{slot['id']}", headers=officer)).status_code == 404
    # only the one who asked confirms; another family is told there is no such upload
    other_family = await login(client, "guardian7@demo.test")
    assert (await client.post(slot["confirm"], headers=other_family)).status_code == 404

    file = ok(await client.post(slot["confirm"], headers=guardian), 201)
    assert file["id"] == slot["id"]
    assert (file["content_type"], file["size_bytes"]) == ("application/pdf", len(PDF))
    seen = await listed(client, officer, record_type="excuse", record_id=excuse["id"])
    assert [f["id"] for f in seen] == [file["id"]]
    assert (await download(client, seen[0], officer)).content == PDF
    again = await client.post(slot["confirm"], headers=guardian)
    assert again.status_code == 409


async def test_bytes_that_are_not_what_was_declared_are_refused_and_deleted(
    client: httpx.AsyncClient, app: FastAPI, demo: DemoSummary, storage_url: str
) -> None:
    guardian = await login(client, "guardian1@demo.test")
    officer = await login(client, "officer@demo.test")
    excuse = await submit_excuse(client, guardian, demo.person("student1@demo.test"), "Flu")

    # an executable declared as a PDF (its true size and checksum): judged from its bytes
    slot = ok(await request_slot(client, excuse["id"], guardian, declaration("x.pdf", EXE)), 201)
    assert (await send_bytes(client, slot, EXE)).status_code in (200, 204)
    refused = await client.post(slot["confirm"], headers=guardian)
    assert refused.status_code == 415, refused.text
    assert refused.json()["code"] == "file_type_refused"
    assert not await stored(app, demo, slot["id"])  # deleted, not left in quarantine
    assert (await client.post(slot["confirm"], headers=guardian)).status_code == 409

    # other bytes than the declared ones (same length): the directory route refuses them as
    # S3 refuses a signed checksum; moto does not, so there the confirmation refuses them
    other = PDF.replace(b"doctor", b"forged")
    slot = ok(await request_slot(client, excuse["id"], guardian, declaration("y.pdf", PDF)), 201)
    sent = await send_bytes(client, slot, other)
    if storage_url.startswith("s3://"):
        assert sent.status_code == 200
        refused = await client.post(slot["confirm"], headers=guardian)
        assert refused.status_code == 422, refused.text
        assert refused.json()["code"] == "upload_mismatch"
    else:
        assert sent.status_code == 422, sent.text
        assert sent.json()["code"] == "upload_mismatch"
        missing = await client.post(slot["confirm"], headers=guardian)
        assert missing.status_code == 409
        assert missing.json()["code"] == "upload_missing"  # nothing arrived: may still send
    assert not await stored(app, demo, slot["id"])
    assert await listed(client, officer, record_type="excuse", record_id=excuse["id"]) == []


async def test_an_upload_url_used_after_it_expired_is_refused(
    client: httpx.AsyncClient,
    app: FastAPI,
    demo: DemoSummary,
    storage_url: str,
    clock: FixedClock,
) -> None:
    guardian = await login(client, "guardian1@demo.test")
    officer = await login(client, "officer@demo.test")
    excuse = await submit_excuse(client, guardian, demo.person("student1@demo.test"), "Flu")
    slot = ok(await request_slot(client, excuse["id"], guardian, declaration("n.pdf", PDF)), 201)
    assert datetime.fromisoformat(slot["expires_at"]) == clock.now() + timedelta(seconds=TTL)

    clock.advance(timedelta(seconds=TTL + 1))
    guardian = await login(client, "guardian1@demo.test")  # access tokens live as long
    officer = await login(client, "officer@demo.test")
    sent = await send_bytes(client, slot, PDF)
    if storage_url.startswith("s3://"):
        # moto stores bytes PUT to an expired URL (a real S3 answers 403); the node refuses them
        assert sent.status_code == 200
        assert await stored(app, demo, slot["id"])
    else:
        assert sent.status_code == 403, sent.text
    refused = await client.post(slot["confirm"], headers=guardian)
    assert refused.status_code == 410, refused.text
    assert refused.json()["code"] == "upload_expired"
    assert not await stored(app, demo, slot["id"])
    assert await listed(client, officer, record_type="excuse", record_id=excuse["id"]) == []


async def test_the_sweep_deletes_what_expired_slots_left_in_quarantine(
    client: httpx.AsyncClient, app: FastAPI, demo: DemoSummary, clock: FixedClock
) -> None:
    guardian = await login(client, "guardian1@demo.test")
    excuse = await submit_excuse(client, guardian, demo.person("student1@demo.test"), "Flu")
    sent, unsent = [
        ok(await request_slot(client, excuse["id"], guardian, declaration(n, PDF)), 201)
        for n in ("a.pdf", "b.pdf")
    ]
    assert (await send_bytes(client, sent, PDF)).status_code in (200, 204)
    assert await sweep_uploads(app.state.services) == 0  # nothing expired yet
    assert await stored(app, demo, sent["id"])

    clock.advance(timedelta(seconds=TTL))
    guardian = await login(client, "guardian1@demo.test")  # access tokens live as long
    late = ok(await request_slot(client, excuse["id"], guardian, declaration("c.pdf", PDF)), 201)
    assert await sweep_uploads(app.state.services) == 2  # the two expired ones, not the new one
    assert not await stored(app, demo, sent["id"])
    confirm = await client.post(sent["confirm"], headers=guardian)
    assert confirm.status_code == 409  # refused by the sweep
    assert (await send_bytes(client, late, PDF)).status_code in (200, 204)
    ok(await client.post(late["confirm"], headers=guardian), 201)
    assert (await client.post(unsent["confirm"], headers=guardian)).status_code == 409
