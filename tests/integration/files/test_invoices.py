"""An issued invoice becomes a PDF, rendered again as it changes (issue 19: documents as PDFs);
on SQLite with a directory and on PostgreSQL with moto's S3 server."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from fastapi import FastAPI

from edtech.demo import DemoSummary
from tests.integration.files.helpers import (
    download,
    listed,
    open_family_account,
    pay,
    pdf_text,
    run_jobs,
)
from tests.roster import login

BILLING = "/api/v1/billing"


async def _post(client: httpx.AsyncClient, path: str, body: Any, auth: dict[str, str]) -> Any:
    r = await client.post(
        f"{BILLING}{path}", json=body, headers={**auth, "Idempotency-Key": str(uuid.uuid4())}
    )
    assert r.status_code in (200, 201), r.text
    return r.json()


async def test_an_invoice_is_rendered_when_issued_and_again_as_it_is_paid_and_credited(
    client: httpx.AsyncClient, app: FastAPI, demo: DemoSummary
) -> None:
    acc = await login(client, "accountant@demo.test")
    family = await open_family_account(client, acc, demo.person("student1@demo.test"))
    draft = await _post(
        client,
        "/invoices",
        {
            "account_id": family["id"],
            "due_on": "2027-02-01",
            "memo": "Spring term",
            "lines": [
                {"description": "Tuition", "amount": "300.00"},
                {"description": "Museum trip", "amount": "40.00"},
            ],
        },
        acc,
    )
    assert await run_jobs(app) == 0  # a draft is no document
    invoice = await _post(client, f"/invoices/{draft['id']}/finalize", {}, acc)
    number = invoice["number"]
    assert await run_jobs(app) == 1
    assert await run_jobs(app) == 0

    [issued] = await listed(client, acc, record_type="invoice", record_id=invoice["id"])
    assert issued["category"] == "invoice"
    assert issued["content_type"] == "application/pdf"
    text = pdf_text((await download(client, issued, acc)).content)
    for expected in (number, "Family One", "Spring term", "Tuition", "300.00", "Museum trip"):
        assert expected in text, (expected, text)
    assert "Amount due 340.00 USD" in text.replace("\n", " "), text

    # A payment and a credit note render it again — once, as both left it (the second job
    # finds a copy rendered after its change); the newest copy is the invoice now.
    await pay(client, acc, family["id"], "100.00")
    await _post(
        client,
        f"/invoices/{invoice['id']}/credit-notes",
        {"amount": "40.00", "reason": "trip off"},
        acc,
    )
    assert await run_jobs(app) >= 2  # the receipt, and the invoice's two changes
    copies = await listed(client, acc, record_type="invoice", record_id=invoice["id"])
    assert len(copies) == 2, copies
    newest = max(copies, key=lambda f: f["created_at"])
    text = pdf_text((await download(client, newest, acc)).content).replace("\n", " ")
    assert "Paid 100.00 USD" in text, text
    assert "Credited 40.00 USD" in text, text
    assert "Amount due 200.00 USD" in text, text
    assert await run_jobs(app) == 0
    assert len(await listed(client, acc, record_type="invoice", record_id=invoice["id"])) == 2

    # The family reads its invoices; another family does not even see them.
    guardian = await login(client, "guardian1@demo.test")
    mine = await listed(client, guardian, category="invoice")
    assert {f["id"] for f in mine} == {f["id"] for f in copies}
    other_family = await login(client, "guardian7@demo.test")
    assert await listed(client, other_family, category="invoice") == []
    assert (await client.get(newest["download"], headers=other_family)).status_code == 404


async def test_a_voided_invoice_says_so(
    client: httpx.AsyncClient, app: FastAPI, demo: DemoSummary
) -> None:
    acc = await login(client, "accountant@demo.test")
    family = await open_family_account(client, acc, demo.person("student1@demo.test"))
    draft = await _post(
        client,
        "/invoices",
        {
            "account_id": family["id"],
            "due_on": "2027-03-01",
            "lines": [{"description": "Lab fee", "amount": "25.00"}],
        },
        acc,
    )
    invoice = await _post(client, f"/invoices/{draft['id']}/finalize", {}, acc)
    assert await run_jobs(app) == 1
    await _post(client, f"/invoices/{invoice['id']}/void", {}, acc)
    assert await run_jobs(app) == 1
    copies = await listed(client, acc, record_type="invoice", record_id=invoice["id"])
    assert sorted(f["filename"] for f in copies) == sorted(
        [f"invoice-{invoice['number']}-open.pdf", f"invoice-{invoice['number']}-void.pdf"]
    )
    void = next(f for f in copies if f["filename"].endswith("-void.pdf"))
    text = pdf_text((await download(client, void, acc)).content).replace("\n", " ")
    assert "Status void" in text, text
    assert "Amount due 0.00 USD" in text, text
