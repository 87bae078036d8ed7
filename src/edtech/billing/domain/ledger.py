"""The append-only double-entry ledger every balance is derived from.

Each money movement is one transaction of postings that add up to zero (debits positive,
credits negative), per payer account:

| movement | debit | credit |
|---|---|---|
| invoice issued | receivable (total) + discounts (discount lines) | revenue (fee lines) |
| credit note | credit_notes | receivable |
| invoice voided | voids | receivable (what was still due) |
| invoice written off | bad_debt | receivable (what was still due) |
| payment received | cash (amount) | receivable (allocated) + customer_credit (rest) |
| account credit applied | customer_credit | receivable |
| refund | customer_credit (from credit) + receivable (taken back) | cash |
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Iterable
from dataclasses import dataclass


class LedgerAccount(enum.StrEnum):
    RECEIVABLE = "receivable"
    REVENUE = "revenue"
    DISCOUNTS = "discounts"
    CREDIT_NOTES = "credit_notes"
    VOIDS = "voids"
    BAD_DEBT = "bad_debt"
    CASH = "cash"
    CUSTOMER_CREDIT = "customer_credit"


class EntryKind(enum.StrEnum):
    INVOICE_ISSUED = "invoice_issued"
    CREDIT_NOTE = "credit_note"
    INVOICE_VOIDED = "invoice_voided"
    INVOICE_WRITTEN_OFF = "invoice_written_off"
    PAYMENT_RECEIVED = "payment_received"
    CREDIT_APPLIED = "credit_applied"
    REFUND = "refund"


class UnbalancedTransactionError(Exception):
    """A bug, never user input: postings of one transaction must add up to zero."""


@dataclass(frozen=True)
class Posting:
    ledger_account: LedgerAccount
    amount_minor: int  # debit > 0, credit < 0


@dataclass(frozen=True)
class LedgerTransaction:
    """Postings that move money between ledger accounts of one payer account, all at once."""

    kind: EntryKind
    account_id: uuid.UUID
    reference_id: uuid.UUID
    currency: str
    postings: tuple[Posting, ...]

    def __post_init__(self) -> None:
        if sum(p.amount_minor for p in self.postings) != 0:
            raise UnbalancedTransactionError(f"{self.kind} does not balance: {self.postings}")
        if not self.postings:
            raise UnbalancedTransactionError(f"{self.kind} has no postings")


def _tx(
    kind: EntryKind,
    account_id: uuid.UUID,
    ref: uuid.UUID,
    currency: str,
    postings: Iterable[tuple[LedgerAccount, int]],
) -> LedgerTransaction:
    kept = tuple(Posting(acc, amt) for acc, amt in postings if amt != 0)
    return LedgerTransaction(kind, account_id, ref, currency, kept)


def invoice_issued(
    account_id: uuid.UUID, invoice_id: uuid.UUID, currency: str, line_amounts: Iterable[int]
) -> LedgerTransaction:
    amounts = list(line_amounts)
    charges = sum(a for a in amounts if a > 0)
    discounts = -sum(a for a in amounts if a < 0)
    return _tx(
        EntryKind.INVOICE_ISSUED,
        account_id,
        invoice_id,
        currency,
        [
            (LedgerAccount.RECEIVABLE, charges - discounts),
            (LedgerAccount.DISCOUNTS, discounts),
            (LedgerAccount.REVENUE, -charges),
        ],
    )


def reduce_receivable(
    kind: EntryKind, account_id: uuid.UUID, ref: uuid.UUID, currency: str, amount: int
) -> LedgerTransaction:
    """Credit notes, voids, write-offs and applied credit all lower the receivable."""
    debit = {
        EntryKind.CREDIT_NOTE: LedgerAccount.CREDIT_NOTES,
        EntryKind.INVOICE_VOIDED: LedgerAccount.VOIDS,
        EntryKind.INVOICE_WRITTEN_OFF: LedgerAccount.BAD_DEBT,
        EntryKind.CREDIT_APPLIED: LedgerAccount.CUSTOMER_CREDIT,
    }[kind]
    return _tx(
        kind, account_id, ref, currency, [(debit, amount), (LedgerAccount.RECEIVABLE, -amount)]
    )


def payment_received(
    account_id: uuid.UUID, payment_id: uuid.UUID, currency: str, amount: int, allocated: int
) -> LedgerTransaction:
    return _tx(
        EntryKind.PAYMENT_RECEIVED,
        account_id,
        payment_id,
        currency,
        [
            (LedgerAccount.CASH, amount),
            (LedgerAccount.RECEIVABLE, -allocated),
            (LedgerAccount.CUSTOMER_CREDIT, -(amount - allocated)),
        ],
    )


def refund(
    account_id: uuid.UUID,
    refund_id: uuid.UUID,
    currency: str,
    from_credit: int,
    from_invoices: int,
) -> LedgerTransaction:
    return _tx(
        EntryKind.REFUND,
        account_id,
        refund_id,
        currency,
        [
            (LedgerAccount.CUSTOMER_CREDIT, from_credit),
            (LedgerAccount.RECEIVABLE, from_invoices),
            (LedgerAccount.CASH, -(from_credit + from_invoices)),
        ],
    )


@dataclass(frozen=True)
class Balances:
    """Balances of one payer account, derived from its postings (debit-positive)."""

    receivable: int = 0
    customer_credit: int = 0  # a liability: positive = credit the family holds
    cash: int = 0

    @property
    def net_owed(self) -> int:
        """What the account owes after its credit (negative: the school owes the family)."""
        return self.receivable - self.customer_credit


def balances(postings: Iterable[tuple[LedgerAccount | str, int]]) -> Balances:
    totals: dict[str, int] = {}
    for acc, amt in postings:
        totals[str(acc)] = totals.get(str(acc), 0) + amt
    return Balances(
        receivable=totals.get(LedgerAccount.RECEIVABLE, 0),
        customer_credit=-totals.get(LedgerAccount.CUSTOMER_CREDIT, 0),
        cash=totals.get(LedgerAccount.CASH, 0),
    )
