"""Pydantic schemas of the billing API: amounts go in as decimal strings, come out as both."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field

from edtech.billing.domain.accounts import AccountKind, PayerAccount
from edtech.billing.domain.catalogue import FeeCategory, FeeItem, FeePlan, Grant, GrantKind, Target
from edtech.billing.domain.invoices import CreditNote, Invoice, credit_note_number
from edtech.billing.domain.money import Money
from edtech.billing.domain.payments import Payment, PaymentMethod, Refund, refund_number
from edtech.platform.http.types import BoundedDate, BoundedDatetime

Amount = Annotated[
    str,
    Field(
        pattern=r"^-?[0-9]{1,15}(\.[0-9]{1,4})?$",  # [0-9]: `\d` here takes any Unicode digit
        description="A decimal amount as a string, with at most the currency's decimals "
        '("333.34" EUR, "33334" JPY, "333.334" KWD). Never a float.',
        examples=["333.34"],
    ),
]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code.")]
Text = Annotated[str, Field(min_length=1, max_length=200)]


class MoneyOut(BaseModel):
    minor: int = Field(description="Integer minor units (cents, fils, yen).")
    currency: str
    amount: str = Field(description="The same amount as a decimal string.")

    @classmethod
    def of(cls, minor: int, currency: str) -> MoneyOut:
        return cls(minor=minor, currency=currency, amount=Money(minor, currency).format())


class CategoryIn(BaseModel):
    code: Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z0-9_\-]+$")]
    name: Text


class CategoryOut(BaseModel):
    id: uuid.UUID
    code: str
    name: str

    @classmethod
    def of(cls, c: FeeCategory) -> CategoryOut:
        return cls(id=c.id, code=c.code, name=c.name)


class FeeItemIn(BaseModel):
    category_id: uuid.UUID
    name: Text
    amount: Amount
    currency: Currency | None = None
    target: Target = Target.EVERYONE
    target_value: Annotated[str, Field(max_length=64)] | None = None


class FeeItemOut(BaseModel):
    id: uuid.UUID
    category_id: uuid.UUID
    name: str
    amount: MoneyOut
    target: Target
    target_value: str | None

    @classmethod
    def of(cls, i: FeeItem) -> FeeItemOut:
        return cls(
            id=i.id,
            category_id=i.category_id,
            name=i.name,
            amount=MoneyOut.of(i.amount_minor, i.currency),
            target=i.target,
            target_value=i.target_value,
        )


class InstallmentIn(BaseModel):
    label: Text
    due_on: BoundedDate
    share: Annotated[int, Field(gt=0, le=1_000_000, description="Relative weight (1:1:1).")]
    term_id: uuid.UUID | None = None


class FeePlanIn(BaseModel):
    name: Text
    item_ids: Annotated[list[uuid.UUID], Field(min_length=1, max_length=50)]
    installments: Annotated[list[InstallmentIn], Field(min_length=1, max_length=24)]


class InstallmentOut(BaseModel):
    id: uuid.UUID
    seq: int
    label: str
    due_on: date
    share: int
    term_id: uuid.UUID | None


class FeePlanOut(BaseModel):
    id: uuid.UUID
    name: str
    currency: str
    item_ids: list[uuid.UUID]
    installments: list[InstallmentOut]

    @classmethod
    def of(cls, p: FeePlan) -> FeePlanOut:
        return cls(
            id=p.id,
            name=p.name,
            currency=p.currency,
            item_ids=list(p.item_ids),
            installments=[
                InstallmentOut(
                    id=i.id,
                    seq=i.seq,
                    label=i.label,
                    due_on=i.due_on,
                    share=i.share,
                    term_id=i.term_id,
                )
                for i in p.installments
            ],
        )


class GrantIn(BaseModel):
    student_id: uuid.UUID
    kind: GrantKind
    name: Text
    percent: Annotated[str, Field(pattern=r"^[0-9]{1,3}(\.[0-9]{1,2})?$")] | None = None
    amount: Amount | None = None
    category_id: uuid.UUID | None = None
    valid_from: BoundedDate | None = None
    valid_to: BoundedDate | None = None


class GrantOut(BaseModel):
    id: uuid.UUID
    student_id: uuid.UUID
    kind: GrantKind
    name: str
    percent_bp: int | None
    amount: MoneyOut | None
    category_id: uuid.UUID | None
    valid_from: date | None
    valid_to: date | None

    @classmethod
    def of(cls, g: Grant) -> GrantOut:
        return cls(
            id=g.id,
            student_id=g.student_id,
            kind=g.kind,
            name=g.name,
            percent_bp=g.percent_bp,
            amount=MoneyOut.of(g.amount_minor, g.currency)
            if g.amount_minor is not None and g.currency
            else None,
            category_id=g.category_id,
            valid_from=g.valid_from,
            valid_to=g.valid_to,
        )


class AccountStudentIn(BaseModel):
    student_id: uuid.UUID
    fee_plan_id: uuid.UUID | None = None


class SponsorshipIn(BaseModel):
    student_id: uuid.UUID
    category_ids: Annotated[list[uuid.UUID], Field(min_length=1)]


class AccountIn(BaseModel):
    kind: AccountKind = AccountKind.FAMILY
    name: Text
    students: Annotated[list[AccountStudentIn], Field(max_length=20)] = []
    sponsorships: Annotated[list[SponsorshipIn], Field(max_length=200)] = []


class AccountStudentOut(BaseModel):
    student_id: uuid.UUID
    fee_plan_id: uuid.UUID | None


class SponsorshipOut(BaseModel):
    student_id: uuid.UUID
    category_id: uuid.UUID


class AccountOut(BaseModel):
    id: uuid.UUID
    kind: AccountKind
    name: str
    currency: str
    students: list[AccountStudentOut]
    sponsorships: list[SponsorshipOut]

    @classmethod
    def of(cls, a: PayerAccount) -> AccountOut:
        return cls(
            id=a.id,
            kind=a.kind,
            name=a.name,
            currency=a.currency,
            students=[
                AccountStudentOut(student_id=s.student_id, fee_plan_id=s.fee_plan_id)
                for s in a.students
            ],
            sponsorships=[
                SponsorshipOut(student_id=s.student_id, category_id=s.category_id)
                for s in a.sponsorships
            ],
        )


class LineIn(BaseModel):
    description: Text
    amount: Amount
    student_id: uuid.UUID | None = None
    category_id: uuid.UUID | None = None


class InvoiceIn(BaseModel):
    account_id: uuid.UUID
    due_on: BoundedDate
    memo: Annotated[str, Field(max_length=500)] = ""
    lines: Annotated[list[LineIn], Field(max_length=200)] = []


class LinesIn(BaseModel):
    lines: Annotated[list[LineIn], Field(min_length=1, max_length=200)]


class GenerateIn(BaseModel):
    plan_id: uuid.UUID
    term_id: uuid.UUID | None = None
    due_by: BoundedDate | None = None
    finalize: bool = True


class LineOut(BaseModel):
    id: uuid.UUID
    seq: int
    kind: str
    description: str
    amount: MoneyOut
    student_id: uuid.UUID | None
    category_id: uuid.UUID | None


class InvoiceOut(BaseModel):
    id: uuid.UUID
    number: str | None
    status: str
    account_id: uuid.UUID
    currency: str
    due_on: date
    memo: str
    total: MoneyOut
    paid: MoneyOut
    credited: MoneyOut
    amount_due: MoneyOut
    issued_at: datetime | None
    lines: list[LineOut]

    @classmethod
    def of(cls, i: Invoice) -> InvoiceOut:
        m = i.currency
        return cls(
            id=i.id,
            number=i.display_number,
            status=str(i.status),
            account_id=i.account_id,
            currency=m,
            due_on=i.due_on,
            memo=i.memo,
            total=MoneyOut.of(i.total_minor, m),
            paid=MoneyOut.of(i.paid_minor, m),
            credited=MoneyOut.of(i.credited_minor, m),
            amount_due=MoneyOut.of(i.amount_due_minor, m),
            issued_at=i.issued_at,
            lines=[
                LineOut(
                    id=ln.id,
                    seq=ln.seq,
                    kind=str(ln.kind),
                    description=ln.description,
                    amount=MoneyOut.of(ln.amount_minor, m),
                    student_id=ln.student_id,
                    category_id=ln.category_id,
                )
                for ln in i.lines
            ],
        )


class CreditNoteIn(BaseModel):
    amount: Amount
    currency: Currency | None = None
    reason: Annotated[str, Field(min_length=1, max_length=500)]


class CreditNoteOut(BaseModel):
    id: uuid.UUID
    number: str
    invoice_id: uuid.UUID
    amount: MoneyOut
    reason: str
    created_at: datetime

    @classmethod
    def of(cls, n: CreditNote) -> CreditNoteOut:
        return cls(
            id=n.id,
            number=credit_note_number(n.number),
            invoice_id=n.invoice_id,
            amount=MoneyOut.of(n.amount_minor, n.currency),
            reason=n.reason,
            created_at=n.created_at,
        )


class AllocationIn(BaseModel):
    invoice_id: uuid.UUID
    amount: Amount


class PaymentIn(BaseModel):
    amount: Amount
    currency: Currency
    method: PaymentMethod
    reference: Annotated[str, Field(max_length=200)] = ""
    received_at: BoundedDatetime | None = None
    allocations: Annotated[list[AllocationIn], Field(max_length=100)] | None = Field(
        None, description="Where the money goes; default: oldest due invoices first."
    )


class PaymentOut(BaseModel):
    id: uuid.UUID
    receipt_number: str
    account_id: uuid.UUID
    amount: MoneyOut
    allocated: MoneyOut
    refunded: MoneyOut
    account_credit: MoneyOut
    method: PaymentMethod
    reference: str
    received_at: datetime

    @classmethod
    def of(cls, p: Payment) -> PaymentOut:
        m = p.currency
        return cls(
            id=p.id,
            receipt_number=p.receipt_number,
            account_id=p.account_id,
            amount=MoneyOut.of(p.amount_minor, m),
            allocated=MoneyOut.of(p.allocated_minor, m),
            refunded=MoneyOut.of(p.refunded_minor, m),
            account_credit=MoneyOut.of(p.unallocated_minor, m),
            method=p.method,
            reference=p.reference,
            received_at=p.received_at,
        )


class RefundIn(BaseModel):
    amount: Amount
    currency: Currency | None = None
    reason: Annotated[str, Field(min_length=1, max_length=500)]


class RefundOut(BaseModel):
    id: uuid.UUID
    number: str
    payment_id: uuid.UUID
    amount: MoneyOut
    reason: str
    created_at: datetime
    provider: str | None = Field(
        description="The card provider that gave the money back (`stripe`); null for a "
        "payment recorded by hand."
    )
    provider_ref: str | None = Field(
        description="The provider's id of this refund (Stripe's `re_…`), for reconciliation."
    )

    @classmethod
    def of(cls, r: Refund) -> RefundOut:
        return cls(
            id=r.id,
            number=refund_number(r.number),
            payment_id=r.payment_id,
            amount=MoneyOut.of(r.amount_minor, r.currency),
            reason=r.reason,
            created_at=r.created_at,
            provider=r.provider,
            provider_ref=r.provider_ref,
        )


class StatementLineOut(BaseModel):
    occurred_at: datetime
    day: date = Field(description="The school day it happened on, in the school's time zone.")
    kind: str
    document: str
    description: str
    amount: MoneyOut
    balance: MoneyOut


class StatementOut(BaseModel):
    account_id: uuid.UUID
    currency: str
    start: date | None
    end: date | None
    opening_balance: MoneyOut
    closing_balance: MoneyOut
    lines: list[StatementLineOut]


class AgingRowOut(BaseModel):
    account_id: uuid.UUID
    name: str
    current: MoneyOut
    days_1_30: MoneyOut
    days_31_60: MoneyOut
    days_61_90: MoneyOut
    days_90_plus: MoneyOut
    total: MoneyOut


class AgingOut(BaseModel):
    as_of: date
    currency: str
    rows: list[AgingRowOut]
    total: MoneyOut


class LedgerRowOut(BaseModel):
    transaction_id: uuid.UUID
    kind: str
    reference_id: uuid.UUID
    ledger_account: str
    amount: MoneyOut = Field(description="Debit positive, credit negative.")
    occurred_at: datetime


class LedgerOut(BaseModel):
    account_id: uuid.UUID
    rows: list[LedgerRowOut]
    receivable: MoneyOut
    customer_credit: MoneyOut
    net_owed: MoneyOut


class CheckoutIn(BaseModel):
    amount: Amount
    currency: Currency


class CheckoutOut(BaseModel):
    id: uuid.UUID
    account_id: uuid.UUID
    amount: MoneyOut
    provider: str
    intent_ref: str
    redirect_url: str


class WebhookOut(BaseModel):
    """`recorded` is false for a replay, an intent already paid, a checkout that is not ours,
    or an event we ignore: each is acknowledged (2xx) so the provider stops delivering it."""

    received: bool = True
    recorded: bool
    payment_id: uuid.UUID | None = None
