"""The PDF renderer: explicit blanks, Latin-1 spelling, the same bytes for the same input."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from pypdf import PdfReader

from edtech.files.infrastructure.pdf import (
    BLANK,
    ReceiptDocument,
    ReportCardDocument,
    ReportSection,
    StatementAccount,
    StatementDocument,
    render_receipt,
    render_report_card,
    render_statement,
)

WHEN = datetime(2026, 12, 4, 9, 30, tzinfo=UTC)


def text(data: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())


def receipt(**changes: object) -> ReceiptDocument:
    fields: dict[str, object] = {
        "school": "Demo School",
        "receipt_number": "RCP-000042",
        "received_at": WHEN,
        "payer": "Family Ødegaard",
        "amount": "1234.567",
        "currency": "KWD",
        "method": "bank_transfer",
        "reference": "",
        "allocations": [("INV-000007", "1000.000")],
        "unallocated": "234.567",
    }
    fields.update(changes)
    return ReceiptDocument(**fields)  # type: ignore[arg-type]


def test_a_receipt_prints_its_number_amount_and_an_explicit_blank() -> None:
    printed = text(render_receipt(receipt()))
    assert "RCP-000042" in printed
    assert "1234.567 KWD" in printed
    assert "INV-000007 1000.000" in printed
    assert "Family Ødegaard" in printed  # Latin-1
    assert f"Reference {BLANK}" in printed  # a missing value is shown, never an error
    assert "bank transfer" in printed


def test_rendering_twice_gives_the_same_bytes() -> None:
    assert render_receipt(receipt()) == render_receipt(receipt())


def test_a_report_card_spells_signs_latin1_lacks_and_says_when_nothing_is_published() -> None:
    section = ReportSection(
        title="Mathematics 7A",
        lines=[("Homework 1", "9", "10"), ("Test 1", None, "50")],
        percent="86.4",
        letter="B",
        explanation="86.4 % = 0.4 × Homework 90.0 + 0.6 × Tests 84.0 → B",
    )
    printed = text(render_report_card(ReportCardDocument("School", "Liam 李", WHEN, [section])))
    assert "Homework 1 9 10" in printed
    assert f"Test 1 {BLANK} 50" in printed
    assert "Tests 84.0 -> B" in printed
    assert "Liam ?" in printed
    empty = text(render_report_card(ReportCardDocument("School", "Ann", WHEN, [])))
    assert "No results have been published yet." in empty


def test_a_statement_lists_invoices_payments_and_the_balance_due() -> None:
    doc = StatementDocument(
        school="Demo School",
        student="Ana Lima",
        dated=WHEN,
        accounts=[
            StatementAccount(
                name="Family Lima",
                currency="USD",
                invoices=[
                    ("INV-000007", "2026-09-01", "paid", "300.00", "300.00", "0.00"),
                    ("INV-000008", "2026-10-01", "open", "300.00", "125.50", "174.50"),
                ],
                payments=[("RCP-000042", "2026-10-03", "425.50")],
                balance="174.50",
            ),
            StatementAccount("Lunch plan", "USD", [], [], "0.00"),
        ],
    )
    out = text(render_statement(doc))
    assert "Statement of account: Ana Lima" in out
    assert "INV-000008 2026-10-01 open 300.00 125.50 174.50" in out
    assert "RCP-000042 2026-10-03 425.50" in out
    assert "Balance due 174.50 USD" in out
    assert "Balance due 0.00 USD" in out  # the second account, with nothing on it
    assert render_statement(doc) == render_statement(doc)


def test_a_statement_without_accounts_says_so() -> None:
    out = text(render_statement(StatementDocument("Demo School", "", WHEN, [])))
    assert "No payer account is kept for this student." in out
    assert f"Student {BLANK}" in out  # a missing value is an explicit blank
