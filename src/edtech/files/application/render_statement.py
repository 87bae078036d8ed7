"""Use case: render a student's statement of account (their payer accounts) as a PDF."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from edtech.billing.public import currency_exponent
from edtech.files.application.common import keep_student_document, removed_on_failure
from edtech.files.application.ports import ObjectStorage, RecordsFactory
from edtech.files.domain import Category, StoredFile, may_read
from edtech.files.infrastructure.pdf import StatementAccount, StatementDocument, render_statement
from edtech.files.infrastructure.records import SliceRecords
from edtech.kernel.clock import Clock
from edtech.kernel.errors import NotFoundError
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork
from edtech.platform.storage import require_storage


def amount(minor: int, currency: str) -> str:
    """Minor units as the currency writes them (12550 USD -> "125.50")."""
    places = currency_exponent(currency)
    return f"{Decimal(minor).scaleb(-places):.{places}f}"


async def statement_accounts(
    records: SliceRecords, institution_id: uuid.UUID, student_id: uuid.UUID
) -> list[StatementAccount]:
    """Each payer account of the student with its issued invoices (totals of the account's
    invoices: a statement is the account's), its payments and what is still open."""
    data = await records.billing(institution_id, student_id)
    out = []
    for acc in data["payer_accounts"]:
        cur = acc["currency"]
        invoices = [i for i in data["invoices"] if i["account_id"] == acc["id"]]
        payments = [p for p in data["payments"] if p["account_id"] == acc["id"]]
        rows: list[tuple[str, str, str, str, str, str]] = []
        open_total = 0
        for i in invoices:
            settled = i["paid_minor"] + i["credited_minor"] + i["written_off_minor"]
            still_open = 0 if i["status"] == "void" else i["total_minor"] - settled
            open_total += max(still_open, 0)
            rows.append(
                (
                    _text(i["number"]),
                    i["due_on"].isoformat(),
                    _text(i["status"]),
                    amount(i["total_minor"], cur),
                    amount(settled, cur),
                    amount(max(still_open, 0), cur),
                )
            )
        paid = [
            (
                _text(p["receipt"]),
                (await records.school_time(institution_id, p["received_at"])).date().isoformat(),
                amount(p["amount_minor"], cur),
            )
            for p in payments
        ]
        out.append(StatementAccount(acc["name"], cur, rows, paid, amount(open_total, cur)))
    return out


def _text(value: Any) -> str:
    return "" if value is None else str(getattr(value, "value", value))


class RenderStatement:
    """Whoever may see a student's bills (accountants, institution administrators, guardians
    whose link allows billing) has a statement of the student's payer accounts rendered: each
    issued invoice with what is paid and still open, each payment, the balance due. Each
    rendering is kept. Anyone else is told the student does not exist."""

    def __init__(
        self, uow: UnitOfWork, clock: Clock, storage: ObjectStorage, records: RecordsFactory
    ) -> None:
        self.uow, self.clock, self.storage, self.records = uow, clock, storage, records

    async def __call__(self, principal: Principal, student_id: uuid.UUID) -> StoredFile:
        require_storage(self.storage)
        institution_id = principal.institution_id
        async with self.uow as uow, removed_on_failure(self.storage) as written:
            records = self.records(uow.session)
            rights = await records.guardian_rights(principal)
            if not await records.is_person(institution_id, student_id) or not may_read(
                principal, Category.STATEMENT, frozenset({student_id}), rights
            ):
                raise NotFoundError("Student not found.")
            now = self.clock.now()
            dated = await records.school_time(institution_id, now)
            names = await records.names(institution_id, [student_id])
            data = render_statement(
                StatementDocument(
                    school=await records.school_name(institution_id),
                    student=names.get(student_id, ""),
                    dated=dated,
                    accounts=await statement_accounts(records, institution_id, student_id),
                )
            )
            stored = await keep_student_document(
                uow,
                self.storage,
                written,
                institution_id=institution_id,
                student_id=student_id,
                category=Category.STATEMENT,
                filename=f"statement-{dated.date().isoformat()}.pdf",
                data=data,
                by=principal.person_id,
                now=now,
            )
        return stored
