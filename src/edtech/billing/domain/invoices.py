"""Invoices and credit notes: draft → open (numbered, immutable) → paid, void or uncollectible."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from edtech.billing.domain.events import (
    CreditNoteIssued,
    InvoiceIssued,
    InvoiceMarkedUncollectible,
    InvoiceOverdue,
    InvoicePaid,
    InvoiceVoided,
)
from edtech.kernel.errors import ConflictError, FieldProblem, InvalidError
from edtech.kernel.events import Aggregate


class InvoiceStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    PAID = "paid"
    VOID = "void"
    UNCOLLECTIBLE = "uncollectible"


class InvoiceImmutableError(ConflictError):
    """An issued invoice is never edited: correct it with a credit note."""

    code = "invoice_immutable"


class InvoiceStateError(ConflictError):
    """The invoice's status does not allow this."""

    code = "invoice_state"


def invoice_number(n: int) -> str:
    return f"INV-{n:06d}"


def credit_note_number(n: int) -> str:
    return f"CN-{n:06d}"


class LineKind(enum.StrEnum):
    FEE = "fee"
    DISCOUNT = "discount"
    MANUAL = "manual"


class InvoiceLine:
    """One line: a student's fee or discount in a category (negative amounts are discounts)."""

    def __init__(
        self,
        *,
        id: uuid.UUID,
        invoice_id: uuid.UUID,
        institution_id: uuid.UUID,
        seq: int,
        kind: LineKind,
        description: str,
        amount_minor: int,
        student_id: uuid.UUID | None = None,
        category_id: uuid.UUID | None = None,
        fee_item_id: uuid.UUID | None = None,
        grant_id: uuid.UUID | None = None,
    ) -> None:
        self.id = id
        self.invoice_id = invoice_id
        self.institution_id = institution_id
        self.seq = seq
        self.kind = LineKind(kind)
        self.description = description
        self.amount_minor = amount_minor
        self.student_id = student_id
        self.category_id = category_id
        self.fee_item_id = fee_item_id
        self.grant_id = grant_id


class Invoice(Aggregate):
    """What a payer account owes for one bill.

    Rules: lines change only while draft; finalizing gives the next gapless number of the
    institution and freezes the invoice; the total is never negative; payments, credit notes
    and write-offs never change lines — they change what is paid, credited or due. Due =
    total − credited − paid; an open invoice whose due reaches zero is paid.
    """

    lines: list[InvoiceLine]

    def __init__(
        self,
        *,
        id: uuid.UUID,
        institution_id: uuid.UUID,
        account_id: uuid.UUID,
        currency: str,
        due_on: date,
        created_at: datetime,
        memo: str = "",
        plan_id: uuid.UUID | None = None,
        installment_id: uuid.UUID | None = None,
    ) -> None:
        self.id = id
        self.institution_id = institution_id
        self.account_id = account_id
        self.currency = currency
        self.due_on = due_on
        self.created_at = created_at
        self.memo = memo
        self.plan_id = plan_id
        self.installment_id = installment_id
        self.status = InvoiceStatus.DRAFT
        self.number: int | None = None
        self.total_minor = 0
        self.paid_minor = 0
        self.credited_minor = 0
        self.written_off_minor = 0
        self.issued_at: datetime | None = None
        self.closed_at: datetime | None = None
        self.reminders_sent = 0
        self.last_reminded_at: datetime | None = None
        self.lines = []

    @property
    def display_number(self) -> str | None:
        return invoice_number(self.number) if self.number is not None else None

    @property
    def amount_due_minor(self) -> int:
        if self.status in (InvoiceStatus.DRAFT, InvoiceStatus.OPEN, InvoiceStatus.PAID):
            return self.total_minor - self.credited_minor - self.paid_minor
        return 0

    @property
    def student_ids(self) -> tuple[uuid.UUID, ...]:
        return tuple(sorted({ln.student_id for ln in self.lines if ln.student_id is not None}))

    def add_line(
        self,
        *,
        line_id: uuid.UUID,
        kind: LineKind,
        description: str,
        amount_minor: int,
        student_id: uuid.UUID | None = None,
        category_id: uuid.UUID | None = None,
        fee_item_id: uuid.UUID | None = None,
        grant_id: uuid.UUID | None = None,
    ) -> InvoiceLine:
        """Add a line to a draft (issued invoices are immutable)."""
        self._require_draft()
        if amount_minor == 0:
            raise InvalidError(
                "A line cannot be zero.", [FieldProblem(("amount",), "must not be zero")]
            )
        if kind == LineKind.DISCOUNT and amount_minor > 0:
            raise InvalidError("A discount line is negative.")
        if kind == LineKind.FEE and amount_minor < 0:
            raise InvalidError("A fee line is positive.")
        line = InvoiceLine(
            id=line_id,
            invoice_id=self.id,
            institution_id=self.institution_id,
            seq=len(self.lines) + 1,
            kind=kind,
            description=description,
            amount_minor=amount_minor,
            student_id=student_id,
            category_id=category_id,
            fee_item_id=fee_item_id,
            grant_id=grant_id,
        )
        self.lines.append(line)
        self.total_minor += amount_minor
        return line

    def remove_line(self, line_id: uuid.UUID) -> None:
        self._require_draft()
        for line in self.lines:
            if line.id == line_id:
                self.lines.remove(line)
                self.total_minor -= line.amount_minor
                return
        raise InvalidError("No such line on this invoice.")

    def finalize(self, number: int, now: datetime, recipients: tuple[uuid.UUID, ...] = ()) -> None:
        """Issue the draft: it takes `number` (the institution's next) and never changes again."""
        self._require_draft()
        if not self.lines:
            raise InvalidError("An invoice needs at least one line before it is issued.")
        if self.total_minor < 0:
            raise InvalidError("An invoice total cannot be negative; use a credit note instead.")
        self.number = number
        self.status = InvoiceStatus.OPEN
        self.issued_at = now
        self.record(
            InvoiceIssued(
                institution_id=self.institution_id,
                occurred_at=now,
                invoice_id=self.id,
                account_id=self.account_id,
                number=invoice_number(number),
                currency=self.currency,
                total_minor=self.total_minor,
                amount_due_minor=self.amount_due_minor,
                due_on=self.due_on,
                student_ids=self.student_ids,
                recipients=recipients,
            )
        )
        self._settle_if_due_zero(now)

    def apply_payment(self, amount_minor: int, now: datetime) -> None:
        """Money allocated to this invoice (never more than is due)."""
        if self.status != InvoiceStatus.OPEN:
            raise InvoiceStateError(
                f"Invoice {self.display_number or self.id} is {self.status}; it cannot be paid."
            )
        if not 0 < amount_minor <= self.amount_due_minor:
            raise InvalidError("An allocation must be positive and at most the amount due.")
        self.paid_minor += amount_minor
        self._settle_if_due_zero(now)

    def reverse_payment(self, amount_minor: int) -> None:
        """A refund took back money allocated here: the invoice is due again."""
        if not 0 < amount_minor <= self.paid_minor:
            raise InvalidError("Cannot take back more than was paid on the invoice.")
        self.paid_minor -= amount_minor
        if self.status == InvoiceStatus.PAID and self.amount_due_minor > 0:
            self.status = InvoiceStatus.OPEN
            self.closed_at = None

    def credit(self, amount_minor: int, now: datetime) -> None:
        """A credit note lowers what is due (never below zero); the lines stay as issued."""
        if self.status != InvoiceStatus.OPEN:
            raise InvoiceStateError("Only an open invoice can be credited.")
        if not 0 < amount_minor <= self.amount_due_minor:
            raise InvalidError(
                "A credit note must be positive and at most the amount due.",
                [
                    FieldProblem(
                        ("amount",), f"must be between 1 and {self.amount_due_minor} minor units"
                    )
                ],
            )
        self.credited_minor += amount_minor
        self._settle_if_due_zero(now)

    def void(self, now: datetime) -> int:
        """Cancel an open invoice nobody paid; returns the amount that stops being receivable."""
        if self.status != InvoiceStatus.OPEN:
            raise InvoiceStateError("Only an open invoice can be voided (delete a draft instead).")
        if self.paid_minor:
            raise InvoiceStateError("A partly paid invoice cannot be voided; refund first.")
        cancelled = self.amount_due_minor
        self.status = InvoiceStatus.VOID
        self.closed_at = now
        self.record(
            InvoiceVoided(
                institution_id=self.institution_id,
                occurred_at=now,
                invoice_id=self.id,
                account_id=self.account_id,
                number=self.display_number or "",
            )
        )
        return cancelled

    def mark_uncollectible(self, now: datetime) -> int:
        """Write off what is still due; returns that amount."""
        if self.status != InvoiceStatus.OPEN:
            raise InvoiceStateError("Only an open invoice can be marked uncollectible.")
        written_off = self.amount_due_minor
        self.written_off_minor = written_off
        self.status = InvoiceStatus.UNCOLLECTIBLE
        self.closed_at = now
        self.record(
            InvoiceMarkedUncollectible(
                institution_id=self.institution_id,
                occurred_at=now,
                invoice_id=self.id,
                account_id=self.account_id,
                number=self.display_number or "",
                written_off_minor=written_off,
            )
        )
        return written_off

    def remind_if_overdue(
        self,
        today: date,
        now: datetime,
        every_days: int,
        recipients: tuple[uuid.UUID, ...] = (),
    ) -> bool:
        """An open invoice past its due date gets a reminder, then one every `every_days`."""
        if self.status != InvoiceStatus.OPEN or self.due_on >= today:
            return False
        if self.last_reminded_at is not None and (now - self.last_reminded_at).days < every_days:
            return False
        self.reminders_sent += 1
        self.last_reminded_at = now
        self.record(
            InvoiceOverdue(
                institution_id=self.institution_id,
                occurred_at=now,
                invoice_id=self.id,
                account_id=self.account_id,
                number=self.display_number or "",
                currency=self.currency,
                amount_due_minor=self.amount_due_minor,
                due_on=self.due_on,
                reminder=self.reminders_sent,
                recipients=recipients,
            )
        )
        return True

    def _require_draft(self) -> None:
        if self.status != InvoiceStatus.DRAFT:
            raise InvoiceImmutableError(
                f"Invoice {self.display_number} is {self.status}: issued invoices are never "
                "edited; issue a credit note instead."
            )

    def _settle_if_due_zero(self, now: datetime) -> None:
        if self.status == InvoiceStatus.OPEN and self.amount_due_minor == 0:
            self.status = InvoiceStatus.PAID
            self.closed_at = now
            self.record(
                InvoicePaid(
                    institution_id=self.institution_id,
                    occurred_at=now,
                    invoice_id=self.id,
                    account_id=self.account_id,
                    number=self.display_number or "",
                )
            )


class CreditNote(Aggregate):
    """A numbered correction that lowers what an issued invoice asks for."""

    def __init__(
        self,
        *,
        id: uuid.UUID,
        institution_id: uuid.UUID,
        invoice_id: uuid.UUID,
        account_id: uuid.UUID,
        number: int,
        currency: str,
        amount_minor: int,
        reason: str,
        created_at: datetime,
        created_by: uuid.UUID,
    ) -> None:
        self.id = id
        self.institution_id = institution_id
        self.invoice_id = invoice_id
        self.account_id = account_id
        self.number = number
        self.currency = currency
        self.amount_minor = amount_minor
        self.reason = reason
        self.created_at = created_at
        self.created_by = created_by
        self.record(
            CreditNoteIssued(
                institution_id=institution_id,
                occurred_at=created_at,
                credit_note_id=id,
                invoice_id=invoice_id,
                account_id=account_id,
                number=credit_note_number(number),
                currency=currency,
                amount_minor=amount_minor,
            )
        )
