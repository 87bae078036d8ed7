"""Attachments on chat messages and announcements, over real HTTP and the websocket: each test
on SQLite with a directory store and on PostgreSQL with a real S3 API (moto on loopback).

A file is uploaded first (`POST /api/v1/files/attachments`: only its uploader sees it), then
named in `attachment_ids` when posting; whoever may read the message may download it, nobody
else, and a retraction takes it away."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from fastapi import FastAPI

from edtech.demo import DemoSummary
from tests.images import photo
from tests.integration.files.helpers import (
    FILES,
    PDF,
    declaration,
    download,
    listed,
    run_jobs,
    send_bytes,
)
from tests.integration.grades.helpers import ok
from tests.integration.realtime.support import Client
from tests.roster import login
from tests.servers import LiveServer

G1, T1, OTHER_FAMILY = "guardian1@demo.test", "teacher1@demo.test", "guardian7@demo.test"
CONVERSATIONS = "/api/v1/conversations"


async def upload(
    client: httpx.AsyncClient, headers: dict[str, str], name: str, data: bytes
) -> httpx.Response:
    return await client.post(
        f"{FILES}/attachments",
        files={"file": (name, data, "application/octet-stream")},
        headers=headers,
    )


async def start(client: httpx.AsyncClient, headers: dict[str, str], other: uuid.UUID) -> str:
    body = {"kind": "direct", "participant_ids": [str(other)]}
    r = await client.post(CONVERSATIONS, json=body, headers=headers)
    assert r.status_code in (200, 201), r.text
    conv_id: str = r.json()["id"]
    return conv_id


async def post(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    conv: str,
    body: str,
    attachment_ids: list[str],
    client_id: str | None = None,
) -> httpx.Response:
    return await client.post(
        f"{CONVERSATIONS}/{conv}/messages",
        json={
            "client_id": client_id or uuid.uuid4().hex,
            "body": body,
            "attachment_ids": attachment_ids,
        },
        headers=headers,
    )


async def history(
    client: httpx.AsyncClient, headers: dict[str, str], conv: str
) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = ok(
        await client.get(f"{CONVERSATIONS}/{conv}/messages", headers=headers)
    )["items"]
    return items


async def fetch(client: httpx.AsyncClient, path: str, headers: dict[str, str]) -> httpx.Response:
    return await download(client, {"download": path}, headers)


async def test_a_message_carries_files_its_conversation_downloads_until_it_is_retracted(
    client: httpx.AsyncClient, demo: DemoSummary, live_server: LiveServer
) -> None:
    guardian = await login(client, G1)
    teacher = await login(client, T1)
    other_family = await login(client, OTHER_FAMILY)

    draft = ok(await upload(client, guardian, "permission-slip.pdf", PDF), 201)
    assert (draft["category"], draft["record_type"]) == ("attachment", "draft")
    # not sent yet: only its uploader sees it
    assert [f["id"] for f in await listed(client, guardian, record_type="draft")] == [draft["id"]]
    assert (await client.get(f"{FILES}/{draft['id']}", headers=teacher)).status_code == 404

    conv = await start(client, guardian, demo.person(T1))
    live = await Client.open(live_server.ws_url, teacher["Authorization"].removeprefix("Bearer "))
    try:
        assert (await live.subscribe(f"chat.conversation.{conv}"))["ok"] is True
        posted = ok(await post(client, guardian, conv, "Signed slip attached", [draft["id"]]), 201)
        channel = f"chat.conversation.{conv}"
        await live.wait_events(channel, 1)
        # over the websocket a message carries no files: said, not silently dropped
        refused = await live.request(
            "send", channel=channel, id="ws-1", data={"body": "x", "attachment_ids": [draft["id"]]}
        )
        assert refused["ok"] is False
        frame = next(
            e for e in live.events if e["channel"] == channel and e["type"] == "chat.message_posted"
        )
    finally:
        await live.close()
    expected = {
        "file_id": draft["id"],
        "filename": "permission-slip.pdf",
        "content_type": "application/pdf",
        "size_bytes": len(PDF),
        "download": f"{FILES}/{draft['id']}/content",
        "thumbnail": None,
    }
    assert posted["attachments"] == [expected]
    assert frame["data"]["attachments"] == [expected]

    (seen,) = await history(client, teacher, conv)
    assert seen["attachments"] == [expected]
    got = await fetch(client, expected["download"], teacher)
    assert got.status_code == 200
    assert got.content == PDF
    assert (await fetch(client, expected["download"], guardian)).content == PDF
    # sent: no longer a draft, listed with the message only
    assert await listed(client, guardian, record_type="draft") == []

    # another family: the file does not exist for them
    for path in (f"{FILES}/{draft['id']}", expected["download"]):
        assert (await client.get(path, headers=other_family)).status_code == 404

    # one file, one message: it cannot be attached again
    again = await post(client, guardian, conv, "Once more", [draft["id"]])
    assert again.status_code == 422
    assert "already attached" in again.text

    # the retraction takes the files away from everyone, the sender included
    r = await client.post(
        f"{CONVERSATIONS}/{conv}/messages/{posted['id']}/retract", headers=guardian
    )
    assert ok(r)["attachments"] == []
    (gone,) = [m for m in await history(client, teacher, conv) if m["id"] == posted["id"]]
    assert (gone["body"], gone["attachments"]) == (None, [])
    for who in (teacher, guardian):
        assert (await client.get(expected["download"], headers=who)).status_code == 404
        assert (await client.get(f"{FILES}/{draft['id']}", headers=who)).status_code == 404
    # the audited export still says what the retracted message carried
    admin = await login(client, "admin@demo.test")
    exported = ok(
        await client.post(
            f"/api/v1/conversations/{conv}/export",
            json={"reason": "safeguarding audit"},
            headers=admin,
        )
    )
    (kept,) = [m for m in exported["messages"] if m["id"] == posted["id"]]
    assert [a["file_id"] for a in kept["attachments"]] == [draft["id"]]


async def test_only_your_own_clean_unsent_files_can_be_attached(
    client: httpx.AsyncClient, demo: DemoSummary
) -> None:
    guardian = await login(client, G1)
    teacher = await login(client, T1)
    conv = await start(client, guardian, demo.person(T1))
    theirs = ok(await upload(client, teacher, "worksheet.pdf", PDF), 201)
    mine = ok(await upload(client, guardian, "note.pdf", PDF), 201)

    async def refused(ids: list[str], problem: str) -> None:
        r = await post(client, guardian, conv, "with files", ids)
        assert r.status_code == 422, r.text
        assert problem in r.text, r.text

    await refused([theirs["id"]], "not a file you uploaded")
    await refused([str(uuid.uuid4())], "not a file you uploaded")
    await refused([mine["id"], mine["id"]], "given twice")
    await refused([mine["id"]] * 11, "at most 10")
    # a direct upload is in quarantine until it is confirmed (judged, scanned)
    slot = ok(
        await client.post(
            f"{FILES}/attachments/uploads", json=declaration("scan.pdf", PDF), headers=guardian
        ),
        201,
    )
    assert (await send_bytes(client, slot, PDF)).status_code in (200, 204)
    await refused([slot["id"]], "quarantine")
    # a refused post claims nothing: the same files go with the next one
    ok(await client.post(slot["confirm"], headers=guardian), 201)
    posted = ok(await post(client, guardian, conv, "both", [mine["id"], slot["id"]]), 201)
    assert [a["file_id"] for a in posted["attachments"]] == [mine["id"], slot["id"]]
    # a replayed client id returns the original message, claiming nothing more
    replay = await post(
        client, guardian, conv, "both", [theirs["id"]], client_id=posted["client_id"]
    )
    assert replay.status_code == 200
    assert replay.json()["attachments"] == posted["attachments"]


async def test_an_announcement_carries_files_for_its_recipients_only(
    client: httpx.AsyncClient, demo: DemoSummary
) -> None:
    teacher = await login(client, T1)
    slip = ok(await upload(client, teacher, "field-trip.pdf", PDF), 201)
    body = {
        "title": "Field trip",
        "body": "Please sign the attached slip.",
        "audience": {"kind": "section_guardians", "section_id": str(demo.section_ids[0])},
        "attachment_ids": [slip["id"]],
    }
    sent = ok(await client.post("/api/v1/announcements", json=body, headers=teacher), 201)
    assert [a["file_id"] for a in sent["attachments"]] == [slip["id"]]
    acks = ok(
        await client.get(f"/api/v1/announcements/{sent['id']}/acknowledgements", headers=teacher)
    )
    recipients = {p["person_id"] for p in acks["pending"]}
    assert recipients
    path = f"{FILES}/{slip['id']}/content"
    reader = None
    outsider = None
    for n in range(1, 13):
        email = f"guardian{n}@demo.test"
        try:
            pid = str(demo.person(email))
        except (KeyError, LookupError):
            continue
        if pid in recipients and reader is None:
            reader = email
        if pid not in recipients and outsider is None:
            outsider = email
    assert reader is not None
    assert outsider is not None
    reader_h = await login(client, reader)
    received = ok(await client.get("/api/v1/announcements", headers=reader_h))["items"]
    (mine,) = [a for a in received if a["id"] == sent["id"]]
    assert [a["download"] for a in mine["attachments"]] == [path]
    assert (await fetch(client, path, reader_h)).content == PDF
    assert (await fetch(client, path, teacher)).content == PDF
    outsider_h = await login(client, outsider)
    assert (await client.get(path, headers=outsider_h)).status_code == 404


async def test_an_image_gets_an_upright_thumbnail_without_its_metadata(
    client: httpx.AsyncClient, demo: DemoSummary, app: FastAPI
) -> None:
    from io import BytesIO

    from PIL import Image

    guardian = await login(client, G1)
    teacher = await login(client, T1)
    original = photo(800, 400, orientation=6)  # shown upright as 400 x 800
    image = ok(await upload(client, guardian, "rash.jpg", original), 201)
    assert image["thumbnail"] is None  # rendered by a job, after the upload
    assert (
        await client.get(f"{FILES}/{image['id']}/thumbnail", headers=guardian)
    ).status_code == 404
    assert await run_jobs(app) >= 1
    image = ok(await client.get(f"{FILES}/{image['id']}", headers=guardian))
    assert image["thumbnail"] == f"{FILES}/{image['id']}/thumbnail"

    conv = await start(client, guardian, demo.person(T1))
    posted = ok(await post(client, guardian, conv, "Photo", [image["id"]]), 201)
    (attached,) = posted["attachments"]
    assert attached["thumbnail"] == image["thumbnail"]
    got = await fetch(client, attached["thumbnail"], teacher)
    assert got.status_code == 200
    thumb = Image.open(BytesIO(got.content))
    assert thumb.format == "JPEG"
    assert thumb.size == (160, 320)  # turned upright, longer side capped
    assert thumb.getexif() == {}
    assert "exif" not in thumb.info
    assert "icc_profile" not in thumb.info
    # the top of the upright picture is the original's left half (red), rotated into place
    r, _g, b = thumb.convert("RGB").getpixel((80, 20))  # type: ignore[misc]
    assert r > 200
    assert b < 60

    outsider = await login(client, OTHER_FAMILY)
    assert (await client.get(attached["thumbnail"], headers=outsider)).status_code == 404
    await client.post(f"{CONVERSATIONS}/{conv}/messages/{posted['id']}/retract", headers=guardian)
    assert (await client.get(attached["thumbnail"], headers=teacher)).status_code == 404


async def test_a_students_record_package_carries_the_files_of_messages_about_them(
    client: httpx.AsyncClient, demo: DemoSummary
) -> None:
    import io
    import json
    import zipfile

    guardian = await login(client, G1)
    admin = await login(client, "admin@demo.test")
    student1 = demo.person("student1@demo.test")
    body = {
        "kind": "direct",
        "participant_ids": [str(demo.person(T1))],
        "context": {"kind": "student", "id": str(student1)},
    }
    conv = ok(await client.post(CONVERSATIONS, json=body, headers=guardian), 201)["id"]
    slip = ok(await upload(client, guardian, "permission-slip.pdf", PDF), 201)
    withdrawn = ok(await upload(client, guardian, "wrong-slip.pdf", PDF + b"%wrong"), 201)
    ok(await post(client, guardian, conv, "The slip", [slip["id"]]), 201)
    wrong = ok(await post(client, guardian, conv, "Oops", [withdrawn["id"]]), 201)
    ok(
        await client.post(
            f"{CONVERSATIONS}/{conv}/messages/{wrong['id']}/retract", headers=guardian
        )
    )

    package = ok(
        await client.post(
            f"{FILES}/record-packages", json={"student_id": str(student1)}, headers=admin
        ),
        201,
    )
    archive = zipfile.ZipFile(io.BytesIO((await download(client, package, admin)).content))
    manifest = json.loads(archive.read("manifest.json"))
    carried = [f for f in manifest["files"] if f["category"] == "attachment"]
    assert [f["path"] for f in carried] == [f"files/attachment/{slip['id']}-permission-slip.pdf"]
    assert archive.read(carried[0]["path"]) == PDF
    # the retracted message's file went with the retraction
    assert not any(withdrawn["id"] in name for name in archive.namelist())
