"""Issue 19 acceptance over real HTTP: each test on SQLite and PostgreSQL, with the files on the
embedded default (a directory) and on a real S3 API (moto's server on loopback); mail goes to
the loopback SMTP server."""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from datetime import UTC, datetime, timedelta

import httpx
from fastapi import FastAPI

from edtech.demo import DemoSummary
from tests.integration.files.helpers import (
    FILES,
    PDF,
    attach,
    download,
    listed,
    open_family_account,
    pay,
    pdf_text,
    publish_grades,
    run_jobs,
    submit_excuse,
)
from tests.integration.grades.helpers import ok
from tests.roster import login
from tests.smtp import SmtpServer

BILLING = "/api/v1/billing"


async def test_doctors_note_goes_with_the_excuse_to_the_officer_and_stays_after_approval(
    client: httpx.AsyncClient, demo: DemoSummary, storage_url: str
) -> None:
    guardian = await login(client, "guardian1@demo.test")
    officer = await login(client, "officer@demo.test")
    other_family = await login(client, "guardian7@demo.test")
    excuse = await submit_excuse(client, guardian, demo.person("student1@demo.test"), "Flu")

    note = ok(await attach(client, excuse["id"], guardian, "doctors-note.pdf", PDF), 201)
    assert note["content_type"] == "application/pdf"  # sniffed, not the header we sent
    assert note["size_bytes"] == len(PDF)

    seen = await listed(client, officer, record_type="excuse", record_id=excuse["id"])
    assert [f["id"] for f in seen] == [note["id"]]
    direct = await client.get(seen[0]["download"], headers=officer)
    if storage_url.startswith("s3://"):  # a short-lived presigned URL, handed out after the check
        assert direct.status_code == 307
        assert "X-Amz-Signature=" in direct.headers["location"]
        assert "X-Amz-Expires=300" in direct.headers["location"]
    else:  # streamed by the node, verified against its SHA-256
        assert direct.status_code == 200
        assert direct.headers["content-type"] == "application/pdf"
        assert direct.headers["x-content-type-options"] == "nosniff"
    fetched = await download(client, seen[0], officer)
    assert fetched.status_code == 200
    assert fetched.content == PDF

    decided = await client.post(
        f"/api/v1/attendance/excuses/{excuse['id']}/decision",
        json={"approve": True},
        headers=officer,
    )
    assert ok(decided)["state"] == "approved"

    for who in (officer, guardian):
        still = await listed(client, who, record_type="excuse", record_id=excuse["id"])
        assert [f["id"] for f in still] == [note["id"]]
        assert (await download(client, still[0], who)).content == PDF
    # a decided note is closed: nothing more is attached
    late = await attach(client, excuse["id"], guardian, "second.pdf", PDF)
    assert late.status_code == 409

    # another family's guardian: the file does not exist for them
    for path in (f"{FILES}/{note['id']}", f"{FILES}/{note['id']}/content"):
        r = await client.get(path, headers=other_family)
        assert r.status_code == 404, path
        assert r.json()["code"] == "not_found"
    assert await listed(client, other_family, record_type="excuse", record_id=excuse["id"]) == []
    missing = await client.get(f"{FILES}/{uuid.uuid4()}/content", headers=other_family)
    assert missing.status_code == 404
    assert (await attach(client, excuse["id"], other_family, "x.pdf", PDF)).status_code == 404


async def test_a_payment_renders_a_receipt_that_is_kept_listed_and_mailed(
    client: httpx.AsyncClient, app: FastAPI, demo: DemoSummary, smtp_server: SmtpServer
) -> None:
    acc = await login(client, "accountant@demo.test")
    family = await open_family_account(client, acc, demo.person("student1@demo.test"))
    payment = await pay(client, acc, family["id"], "125.50")
    number = payment["receipt_number"]

    assert await run_jobs(app) == 1  # the receipt job was deferred with the payment
    assert await run_jobs(app) == 0

    [receipt] = await listed(client, acc, record_type="payment", record_id=payment["id"])
    assert receipt["category"] == "receipt"
    assert receipt["content_type"] == "application/pdf"
    data = (await download(client, receipt, acc)).content
    text = pdf_text(data)
    assert number in text
    assert "125.50 USD" in text
    assert "Family One" in text

    # the family sees it; another family does not
    guardian = await login(client, "guardian1@demo.test")
    assert [f["id"] for f in await listed(client, guardian, category="receipt")] == [receipt["id"]]
    other_family = await login(client, "guardian7@demo.test")
    assert await listed(client, other_family, category="receipt") == []
    assert (await client.get(receipt["download"], headers=other_family)).status_code == 404

    [mail] = await smtp_server.wait_for("guardian1@demo.test")
    assert number in str(mail["Subject"])
    [attached] = list(mail.iter_attachments())
    assert attached.get_content_type() == "application/pdf"
    assert attached.get_filename() == receipt["filename"]
    pdf = attached.get_content()
    assert pdf == data
    assert number in pdf_text(pdf)
    assert "125.50" in pdf_text(pdf)


async def test_report_card_of_student1_matches_the_published_totals(
    client: httpx.AsyncClient, demo: DemoSummary, database_url: str
) -> None:
    _, s1, _ = await publish_grades(client, demo, database_url)
    guardian = await login(client, "guardian1@demo.test")
    shown = ok(await client.get(f"/api/v1/students/{s1}/grades", headers=guardian))
    [section] = shown["sections"]
    total = section["total"]
    assert total["percent"] is not None

    card = ok(
        await client.post(f"{FILES}/report-cards", json={"student_id": str(s1)}, headers=guardian),
        201,
    )
    assert card["category"] == "report_card"
    text = pdf_text((await download(client, card, guardian)).content)
    assert f"{total['percent']} %" in text
    assert total["letter"] in text
    explained = total["text"].replace("→", "->")  # the core fonts are Latin-1
    assert " ".join(explained.split()) in " ".join(text.split())
    for result in section["results"]:
        assert result["title"] in text
    assert "Homework 1 9 10" in " ".join(text.split())
    assert "Test 1 42 50" in " ".join(text.split())

    # the draft 2/10 is not what the card says
    assert "2 10" not in " ".join(text.split())
    other_family = await login(client, "guardian7@demo.test")
    refused = await client.post(
        f"{FILES}/report-cards", json={"student_id": str(s1)}, headers=other_family
    )
    assert refused.status_code == 404
    assert (await client.get(card["download"], headers=other_family)).status_code == 404


async def test_record_package_of_student1_holds_every_record_type_and_nothing_of_student2(
    client: httpx.AsyncClient, app: FastAPI, demo: DemoSummary, database_url: str
) -> None:
    s1 = demo.person("student1@demo.test")
    s2 = demo.person("student2@demo.test")
    admin = await login(client, "admin@demo.test")
    officer = await login(client, "officer@demo.test")
    teacher = await login(client, "teacher1@demo.test")
    guardian = await login(client, "guardian1@demo.test")
    acc = await login(client, "accountant@demo.test")

    # grades (with history) for student1 and a classmate
    book, _, classmate = await publish_grades(client, demo, database_url)
    # attendance with history: absent, then corrected to late, in teacher1's section
    starts = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
    session = ok(
        await client.post(
            "/api/v1/attendance/sessions",
            json={
                "section_id": str(book.section_id),
                "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(minutes=45)).isoformat(),
            },
            headers=officer,
        ),
        201,
    )
    for student in (s1, classmate):
        mark = f"/api/v1/attendance/sessions/{session['id']}/marks/{student}"
        ok(await client.put(mark, json={"code": "A"}, headers=officer))
    mark = f"/api/v1/attendance/sessions/{session['id']}/marks/{s1}"
    ok(await client.put(mark, json={"code": "T", "reason": "came in late"}, headers=officer))
    # an absence note with a doctor's note, for student1 and (by the office) for student2
    excuse = await submit_excuse(client, guardian, s1, "Flu")
    ok(await attach(client, excuse["id"], guardian, "doctors-note.pdf", PDF), 201)
    other_excuse = await submit_excuse(client, officer, s2, "Dentist for two")
    ok(await attach(client, other_excuse["id"], officer, "dentist.pdf", PDF), 201)
    # a conversation about student1 between their guardian and teacher
    conversation = ok(
        await client.post(
            "/api/v1/conversations",
            json={
                "participant_ids": [str(demo.person("teacher1@demo.test"))],
                "context": {"kind": "student", "id": str(s1)},
            },
            headers=guardian,
        ),
        201,
    )
    ok(
        await client.post(
            f"/api/v1/conversations/{conversation['id']}/messages",
            json={"client_id": "m1", "body": "Back on Monday after the flu."},
            headers=guardian,
        ),
        201,
    )
    # bills: student1's family and student2's family each pay
    family = await open_family_account(client, acc, s1)
    payment = await pay(client, acc, family["id"], "80.00")
    other = await open_family_account(client, acc, s2)
    # 71.93: no timestamp's seconds ("…:33.33…") can spell it by chance
    await pay(client, acc, other["id"], "71.93")
    # The two receipts render (insights' recomputes, deferred by the excuse, run too).
    assert await run_jobs(app) >= 2

    # only an institution administrator produces a package
    for who in (guardian, teacher, officer):
        r = await client.post(f"{FILES}/record-packages", json={"student_id": str(s1)}, headers=who)
        assert r.status_code == 404
    package = ok(
        await client.post(f"{FILES}/record-packages", json={"student_id": str(s1)}, headers=admin),
        201,
    )
    assert package["content_type"] == "application/zip"
    data = (await download(client, package, admin)).content
    assert (await client.get(package["download"], headers=guardian)).status_code == 404

    archive = zipfile.ZipFile(io.BytesIO(data))
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["student_id"] == str(s1)
    rows = {name: entry["rows"] for name, entry in manifest["record_types"].items()}
    for record_type in (
        "person",
        "roles",
        "enrollments",
        "guardian_links",
        "attendance_marks",
        "attendance_history",
        "absence_notes",
        "grade_results",
        "grade_history",
        "conversations",
        "messages",
        "payer_accounts",
        "payments",
        "files",
    ):
        assert rows.get(record_type, 0) >= 1, record_type
        assert f"data/{record_type}.json" in archive.namelist()
        assert f"data/{record_type}.csv" in archive.namelist()
    assert "invoices" in rows  # none issued in this test: present, empty
    assert rows["attendance_history"] >= 2  # absent, then late
    categories = sorted(f["category"] for f in manifest["files"])
    assert categories == ["excuse_note", "receipt", "report_card"]
    payments = json.loads(archive.read("data/payments.json"))
    assert [p["id"] for p in payments] == [payment["id"]]
    messages = json.loads(archive.read("data/messages.json"))
    assert [m["body"] for m in messages] == ["Back on Monday after the flu."]
    for member in manifest["members"]:
        assert member["path"] in archive.namelist()
    assert pdf_text(archive.read("documents/report-card.pdf"))

    # nothing of student2 (or the classmate) anywhere in the package
    names = {str(s2), str(classmate)} - {str(s1)}
    for name in archive.namelist():
        content = archive.read(name)
        for other_id in names:
            assert other_id.encode() not in content, (name, other_id)
        assert b"Dentist for two" not in content
        assert b"71.93" not in content
