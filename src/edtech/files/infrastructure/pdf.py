"""Documents as PDFs, drawn with fpdf2 (pure Python, no system libraries).

Only the PDF core fonts (Helvetica) are used: they are part of every PDF reader, so the same
input gives the same page on every machine and nothing has to be shipped. Their alphabet is
Latin-1: our own signs outside it are spelled in it (`→` as `->`), any other character
is printed as `?` (names in other scripts need an embedded
font — noted in the slice README). A missing value prints as an explicit "(not given)", never
an error. The creation date is the document's own date, so rendering twice gives the same
bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from fpdf import FPDF

BLANK = "(not given)"
# Signs our own texts use that Latin-1 lacks, spelled in it (a total's explanation has "→").
_SPELLED = str.maketrans(
    {
        "→": "->",
        "≈": "~",
        "−": "-",
        "–": "-",
        "—": "-",
        "…": "...",
        "‘": "'",
        "’": "'",
        "“": '"',
        "”": '"',
    }
)


def _text(value: object) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        return BLANK
    return str(value).translate(_SPELLED).encode("latin-1", "replace").decode("latin-1")


@dataclass(frozen=True)
class Row:
    label: str
    value: object


class _Page:
    def __init__(self, title: str, school: str, dated: datetime) -> None:
        pdf = FPDF(format="A4")
        pdf.set_creation_date(dated)
        pdf.set_title(_text(title))
        pdf.set_creator("edtech")
        pdf.set_producer("edtech")
        pdf.set_auto_page_break(auto=True, margin=15)
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 16)
        pdf.cell(0, 10, _text(school), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "B", 13)
        pdf.cell(0, 9, _text(title), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        self.pdf = pdf

    def rows(self, rows: Sequence[Row]) -> None:
        for row in rows:
            self.pdf.set_font("Helvetica", "B", 10)
            self.pdf.cell(55, 7, _text(row.label))
            self.pdf.set_font("Helvetica", "", 10)
            self.pdf.multi_cell(0, 7, _text(row.value), new_x="LMARGIN", new_y="NEXT")

    def heading(self, text: str) -> None:
        self.pdf.ln(3)
        self.pdf.set_font("Helvetica", "B", 12)
        self.pdf.cell(0, 8, _text(text), new_x="LMARGIN", new_y="NEXT")

    def table(self, header: Sequence[str], body: Sequence[Sequence[object]]) -> None:
        widths = [90.0] + [(190.0 - 90.0) / max(1, len(header) - 1)] * (len(header) - 1)
        self.pdf.set_font("Helvetica", "B", 10)
        for w, h in zip(widths, header, strict=True):
            self.pdf.cell(w, 7, _text(h), border="B")
        self.pdf.ln()
        self.pdf.set_font("Helvetica", "", 10)
        for line in body:
            for w, v in zip(widths, line, strict=True):
                self.pdf.cell(w, 7, _text(v))
            self.pdf.ln()

    def paragraph(self, text: str) -> None:
        self.pdf.set_font("Helvetica", "", 10)
        self.pdf.multi_cell(0, 6, _text(text), new_x="LMARGIN", new_y="NEXT")

    def bytes(self) -> bytes:
        return bytes(self.pdf.output())


@dataclass(frozen=True)
class ReceiptDocument:
    school: str
    receipt_number: str
    received_at: datetime
    """In the school's time zone (printed with the zone's abbreviation)."""
    payer: str
    amount: str
    currency: str
    method: str
    reference: str
    allocations: Sequence[tuple[str, str]]
    unallocated: str


def render_receipt(doc: ReceiptDocument) -> bytes:
    page = _Page(f"Receipt {doc.receipt_number}", doc.school, doc.received_at)
    page.rows(
        [
            Row("Receipt number", doc.receipt_number),
            Row("Received", doc.received_at.strftime("%Y-%m-%d %H:%M %Z")),
            Row("Received from", doc.payer),
            Row("Amount", f"{doc.amount} {doc.currency}"),
            Row("Method", doc.method.replace("_", " ")),
            Row("Reference", doc.reference),
        ]
    )
    page.heading("Applied to")
    page.table(
        ["Invoice", f"Amount ({doc.currency})"],
        [[number, amount] for number, amount in doc.allocations] or [["(none)", "0"]],
    )
    page.rows([Row("Kept as account credit", f"{doc.unallocated} {doc.currency}")])
    return page.bytes()


@dataclass(frozen=True)
class ReportSection:
    title: str
    lines: Sequence[tuple[str, str | None, str]]
    """(assessment, published points or None, max points)."""
    percent: str | None
    letter: str | None
    explanation: str


@dataclass(frozen=True)
class ReportCardDocument:
    school: str
    student: str
    dated: datetime
    """In the school's time zone: the issue date printed is the school's."""
    sections: Sequence[ReportSection]


def render_report_card(doc: ReportCardDocument) -> bytes:
    page = _Page(f"Report card: {doc.student}", doc.school, doc.dated)
    page.rows([Row("Student", doc.student), Row("Issued", doc.dated.strftime("%Y-%m-%d"))])
    if not doc.sections:
        page.paragraph("No results have been published yet.")
    for section in doc.sections:
        page.heading(section.title)
        page.table(
            ["Assessment", "Points", "Out of"],
            [[title, points, out_of] for title, points, out_of in section.lines],
        )
        total = BLANK if section.percent is None else f"{section.percent} %"
        page.rows(
            [
                Row("Total", total),
                Row("Grade", section.letter),
                Row("How it is computed", section.explanation),
            ]
        )
    return page.bytes()


@dataclass(frozen=True)
class StatementAccount:
    name: str
    currency: str
    invoices: Sequence[tuple[str, str, str, str, str, str]]
    """(number, due on, status, total, paid or credited, still open), amounts as text."""
    payments: Sequence[tuple[str, str, str]]
    """(receipt number, received on, amount)."""
    balance: str
    """What is still open on the account's invoices."""


@dataclass(frozen=True)
class StatementDocument:
    school: str
    student: str
    dated: datetime
    """In the school's time zone."""
    accounts: Sequence[StatementAccount]


def render_statement(doc: StatementDocument) -> bytes:
    page = _Page(f"Statement of account: {doc.student}", doc.school, doc.dated)
    page.rows([Row("Student", doc.student), Row("As of", doc.dated.strftime("%Y-%m-%d"))])
    if not doc.accounts:
        page.paragraph("No payer account is kept for this student.")
    for account in doc.accounts:
        page.heading(f"{account.name} ({account.currency})")
        page.table(
            ["Invoice", "Due", "Status", "Total", "Paid", "Open"],
            [list(i) for i in account.invoices] or [["(none)", "", "", "", "", ""]],
        )
        page.heading("Payments")
        page.table(
            ["Receipt", "Received", "Amount"],
            [list(p) for p in account.payments] or [["(none)", "", ""]],
        )
        page.rows([Row("Balance due", f"{account.balance} {account.currency}")])
    return page.bytes()


@dataclass(frozen=True)
class InvoiceDocument:
    school: str
    number: str
    status: str
    payer: str
    currency: str
    memo: str
    issued: datetime | None
    """In the school's time zone."""
    due_on: date
    lines: Sequence[tuple[str, str]]
    total: str
    paid: str
    credited: str
    written_off: str
    amount_due: str
    dated: datetime
    """When this copy was rendered, in the school's time zone."""


def render_invoice(doc: InvoiceDocument) -> bytes:
    page = _Page(f"Invoice {doc.number}", doc.school, doc.dated)
    page.rows(
        [
            Row("Invoice number", doc.number),
            Row("Status", doc.status.replace("_", " ")),
            Row("Bill to", doc.payer),
            Row("Issued", doc.issued.strftime("%Y-%m-%d") if doc.issued else ""),
            Row("Due", doc.due_on.isoformat()),
        ]
    )
    if doc.memo:
        page.paragraph(doc.memo)
    page.table(
        ["Description", f"Amount ({doc.currency})"],
        [[description, amount] for description, amount in doc.lines] or [["(none)", ""]],
    )
    page.rows(
        [
            Row("Total", f"{doc.total} {doc.currency}"),
            Row("Paid", f"{doc.paid} {doc.currency}"),
            Row("Credited", f"{doc.credited} {doc.currency}"),
            Row("Written off", f"{doc.written_off} {doc.currency}"),
            Row("Amount due", f"{doc.amount_due} {doc.currency}"),
        ]
    )
    return page.bytes()


@dataclass(frozen=True)
class LetterDocument:
    school: str
    title: str
    body: str
    dated: datetime
    """In the school's time zone."""


def render_letter(doc: LetterDocument) -> bytes:
    """A letter: the school, the title, the text as written (paragraphs kept)."""
    page = _Page(doc.title, doc.school, doc.dated)
    page.pdf.ln(4)
    for paragraph in doc.body.split("\n"):
        if paragraph.strip():
            page.paragraph(paragraph)
        else:
            page.pdf.ln(4)
    return page.bytes()
