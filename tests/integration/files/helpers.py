"""Helpers of the files tests: a PDF's text, draining the job queue, minimal valid files,
absence notes and their attachments over HTTP."""

from __future__ import annotations

import hashlib
import io
import uuid
from datetime import date, timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from pypdf import PdfReader

from edtech.demo import DemoSummary
from edtech.platform.jobs import JobRunner
from tests.integration.grades.helpers import item, make_book, ok

FILES = "/api/v1/files"
BILLING = "/api/v1/billing"

# The smallest files whose first bytes say what they are.
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%doctor's note\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03" + b"\x00" * 64


def pdf_text(data: bytes) -> str:
    """The text of every page, as a PDF library extracts it."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


async def run_jobs(app: FastAPI) -> int:
    """Run every due job on this node until none is left; how many ran."""
    runner = app.state.services.components.get(JobRunner)
    total = 0
    while ran := await runner.run_once():
        total += ran
    return total


async def download(
    client: httpx.AsyncClient, file: dict[str, object], headers: dict[str, str]
) -> httpx.Response:
    """Fetch a file's bytes as a browser would: follow the S3 redirect (without our token)."""
    r = await client.get(str(file["download"]), headers=headers)
    if r.status_code == 307:
        async with httpx.AsyncClient(timeout=30) as outside:
            return await outside.get(r.headers["location"])
    return r


async def submit_excuse(
    client: httpx.AsyncClient, headers: dict[str, str], student_id: uuid.UUID, reason: str
) -> dict[str, Any]:
    today = date.today()
    body = {
        "student_id": str(student_id),
        "starts_on": (today - timedelta(days=2)).isoformat(),
        "ends_on": today.isoformat(),
        "reason": reason,
    }
    return ok(await client.post("/api/v1/attendance/excuses", json=body, headers=headers), 201)


async def attach(
    client: httpx.AsyncClient, excuse_id: str, headers: dict[str, str], name: str, data: bytes
) -> httpx.Response:
    return await client.post(
        f"{FILES}/excuse-notes/{excuse_id}",
        files={"file": (name, data, "application/octet-stream")},
        headers=headers,
    )


async def listed(
    client: httpx.AsyncClient, headers: dict[str, str], **params: str
) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = ok(await client.get(FILES, params=params, headers=headers))[
        "items"
    ]
    return items


def declaration(name: str, data: bytes, content_type: str = "application/pdf") -> dict[str, Any]:
    """What a client declares before sending `data` straight to the store."""
    return {
        "filename": name,
        "content_type": content_type,
        "size_bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }


async def request_slot(
    client: httpx.AsyncClient, excuse_id: str, headers: dict[str, str], body: dict[str, Any]
) -> httpx.Response:
    return await client.post(
        f"{FILES}/excuse-notes/{excuse_id}/uploads", json=body, headers=headers
    )


async def send_bytes(
    client: httpx.AsyncClient, slot: dict[str, Any], data: bytes
) -> httpx.Response:
    """PUT the bytes where the slot says, with its headers: to S3 directly (no token of ours),
    or to the node's signed route."""
    if slot["url"].startswith("/"):
        return await client.put(slot["url"], content=data, headers=slot["headers"])
    async with httpx.AsyncClient(timeout=30) as outside:
        return await outside.put(slot["url"], content=data, headers=slot["headers"])


async def open_family_account(
    client: httpx.AsyncClient, acc: dict[str, str], student_id: uuid.UUID
) -> dict[str, Any]:
    r = await client.post(
        f"{BILLING}/accounts",
        json={
            "kind": "family",
            "name": "Family One",
            "students": [{"student_id": str(student_id)}],
        },
        headers={**acc, "Idempotency-Key": str(uuid.uuid4())},
    )
    return ok(r, 201)


async def pay(
    client: httpx.AsyncClient, acc: dict[str, str], account_id: str, amount: str
) -> dict[str, Any]:
    r = await client.post(
        f"{BILLING}/accounts/{account_id}/payments",
        json={"amount": amount, "currency": "USD", "method": "cash", "reference": "front desk"},
        headers={**acc, "Idempotency-Key": str(uuid.uuid4())},
    )
    return ok(r, 201)


async def publish_grades(
    client: httpx.AsyncClient, demo: DemoSummary, database_url: str
) -> tuple[Any, uuid.UUID, uuid.UUID]:
    """Teacher1's book: student1 has 9/10 and 42/50 published, then a draft 2/10 on top;
    another student of the section has 3/10 published."""
    book = await make_book(client, demo, database_url)
    s1 = demo.person("student1@demo.test")
    s2 = next(s for s in book.students if s != s1)
    entered = [item(book.homework1, s1, "9"), item(book.test1, s1, "42")]
    entered.append(item(book.homework1, s2, "3"))
    url = f"/api/v1/sections/{book.section_id}/results/batch"
    ok(await client.post(url, json={"items": entered}, headers=book.teacher))
    for assessment in (book.homework1, book.test1):
        r = await client.post(
            f"/api/v1/assessments/{assessment}/publications", json={}, headers=book.teacher
        )
        ok(r, 201)
    draft = {"items": [item(book.homework1, s1, "2")]}
    ok(await client.post(url, json=draft, headers=book.teacher))
    return book, s1, s2
