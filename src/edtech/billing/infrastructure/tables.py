"""Billing tables, with the domain classes mapped onto them imperatively (one class each)."""

from __future__ import annotations

import enum
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import relationship

from edtech.billing.domain.accounts import AccountKind, AccountStudent, PayerAccount, Sponsorship
from edtech.billing.domain.catalogue import (
    FeeCategory,
    FeeItem,
    FeePlan,
    Grant,
    GrantKind,
    Installment,
    Target,
)
from edtech.billing.domain.descriptions import DESCRIPTION_MAX_LENGTH
from edtech.billing.domain.invoices import (
    CreditNote,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    LineKind,
)
from edtech.billing.domain.payments import (
    Allocation,
    AllocationKind,
    Payment,
    PaymentMethod,
    Refund,
)
from edtech.platform.db.metadata import mapper_registry, metadata
from edtech.platform.db.types import UTCDateTime, id_column, institution_column


def _enum(cls: type[enum.StrEnum], length: int = 16) -> sa.Enum:
    """A portable string column holding the enum's values."""
    return sa.Enum(
        cls,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda e: [m.value for m in e],
    )


class UuidList(sa.TypeDecorator[list[uuid.UUID]]):
    """An ordered list of ids stored as a JSON array of strings."""

    impl = sa.JSON()
    cache_ok = True

    def process_bind_param(self, value: list[uuid.UUID] | None, dialect: Dialect) -> Any:
        return None if value is None else [str(v) for v in value]

    def process_result_value(self, value: Any, dialect: Dialect) -> list[uuid.UUID] | None:
        return None if value is None else [uuid.UUID(v) for v in value]


def _money() -> sa.Column[int]:
    return sa.Column("amount_minor", sa.BigInteger(), nullable=False)


def _fk(
    column: str, target: str, *, nullable: bool = False, index: bool = True
) -> sa.Column[object]:
    return sa.Column(
        column,
        sa.Uuid(),
        sa.ForeignKey(f"{target}.id", ondelete="RESTRICT"),
        nullable=nullable,
        index=index,
    )


fee_category = sa.Table(
    "billing_fee_category",
    metadata,
    id_column(),
    institution_column(),
    sa.Column("code", sa.String(40), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.UniqueConstraint("institution_id", "code"),
)

fee_item = sa.Table(
    "billing_fee_item",
    metadata,
    id_column(),
    institution_column(),
    _fk("category_id", "billing_fee_category"),
    sa.Column("name", sa.String(200), nullable=False),
    _money(),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("target", _enum(Target), nullable=False),
    sa.Column("target_value", sa.String(64), nullable=True),
    sa.CheckConstraint("amount_minor > 0", name="amount_positive"),
)

fee_plan = sa.Table(
    "billing_fee_plan",
    metadata,
    id_column(),
    institution_column(),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("item_ids", UuidList(), nullable=False),
)

installment = sa.Table(
    "billing_installment",
    metadata,
    id_column(),
    institution_column(),
    _fk("plan_id", "billing_fee_plan"),
    sa.Column("seq", sa.Integer(), nullable=False),
    sa.Column("label", sa.String(200), nullable=False),
    sa.Column("due_on", sa.Date(), nullable=False),
    sa.Column("share", sa.Integer(), nullable=False),
    sa.Column("term_id", sa.Uuid(), nullable=True),
    sa.UniqueConstraint("plan_id", "seq"),
    sa.CheckConstraint("share > 0", name="share_positive"),
)

grant = sa.Table(
    "billing_grant",
    metadata,
    id_column(),
    institution_column(),
    sa.Column("student_id", sa.Uuid(), nullable=False, index=True),
    sa.Column("kind", _enum(GrantKind), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("percent_bp", sa.Integer(), nullable=True),
    sa.Column("amount_minor", sa.BigInteger(), nullable=True),
    sa.Column("currency", sa.String(3), nullable=True),
    _fk("category_id", "billing_fee_category", nullable=True, index=False),
    sa.Column("valid_from", sa.Date(), nullable=True),
    sa.Column("valid_to", sa.Date(), nullable=True),
    sa.Column("approved_by", sa.Uuid(), nullable=False),
)

account = sa.Table(
    "billing_account",
    metadata,
    id_column(),
    institution_column(),
    sa.Column("kind", _enum(AccountKind), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
)

account_student = sa.Table(
    "billing_account_student",
    metadata,
    sa.Column(
        "account_id",
        sa.Uuid(),
        sa.ForeignKey("billing_account.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("student_id", sa.Uuid(), primary_key=True, index=True),
    institution_column(),
    _fk("fee_plan_id", "billing_fee_plan", nullable=True),
)

sponsorship = sa.Table(
    "billing_sponsorship",
    metadata,
    sa.Column(
        "account_id",
        sa.Uuid(),
        sa.ForeignKey("billing_account.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("student_id", sa.Uuid(), primary_key=True),
    sa.Column(
        "category_id",
        sa.Uuid(),
        sa.ForeignKey("billing_fee_category.id", ondelete="RESTRICT"),
        primary_key=True,
    ),
    institution_column(),
)

invoice = sa.Table(
    "billing_invoice",
    metadata,
    id_column(),
    institution_column(),
    _fk("account_id", "billing_account"),
    sa.Column("status", _enum(InvoiceStatus), nullable=False),
    sa.Column("number", sa.Integer(), nullable=True),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("due_on", sa.Date(), nullable=False),
    sa.Column("memo", sa.String(500), nullable=False),
    _fk("plan_id", "billing_fee_plan", nullable=True, index=False),
    _fk("installment_id", "billing_installment", nullable=True, index=False),
    sa.Column("total_minor", sa.BigInteger(), nullable=False),
    sa.Column("paid_minor", sa.BigInteger(), nullable=False),
    sa.Column("credited_minor", sa.BigInteger(), nullable=False),
    sa.Column("written_off_minor", sa.BigInteger(), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("issued_at", UTCDateTime(), nullable=True),
    sa.Column("closed_at", UTCDateTime(), nullable=True),
    sa.Column("reminders_sent", sa.Integer(), nullable=False),
    sa.Column("last_reminded_at", UTCDateTime(), nullable=True),
    sa.UniqueConstraint("institution_id", "number"),
    sa.UniqueConstraint("account_id", "installment_id"),
    sa.CheckConstraint(
        "paid_minor >= 0 AND credited_minor >= 0 "
        "AND (status = 'draft' OR paid_minor + credited_minor <= total_minor)",
        name="amounts_consistent",
    ),
)

invoice_line = sa.Table(
    "billing_invoice_line",
    metadata,
    id_column(),
    institution_column(),
    sa.Column(
        "invoice_id",
        sa.Uuid(),
        sa.ForeignKey("billing_invoice.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("seq", sa.Integer(), nullable=False),
    sa.Column("kind", _enum(LineKind), nullable=False),
    sa.Column("description", sa.String(DESCRIPTION_MAX_LENGTH), nullable=False),
    _money(),
    sa.Column("student_id", sa.Uuid(), nullable=True),
    sa.Column("category_id", sa.Uuid(), nullable=True),
    sa.Column("fee_item_id", sa.Uuid(), nullable=True),
    sa.Column("grant_id", sa.Uuid(), nullable=True),
)

credit_note = sa.Table(
    "billing_credit_note",
    metadata,
    id_column(),
    institution_column(),
    _fk("invoice_id", "billing_invoice"),
    _fk("account_id", "billing_account", index=False),
    sa.Column("number", sa.Integer(), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    _money(),
    sa.Column("reason", sa.String(500), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("created_by", sa.Uuid(), nullable=False),
    sa.UniqueConstraint("institution_id", "number"),
    sa.CheckConstraint("amount_minor > 0", name="amount_positive"),
)

payment = sa.Table(
    "billing_payment",
    metadata,
    id_column(),
    institution_column(),
    _fk("account_id", "billing_account"),
    _money(),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("method", _enum(PaymentMethod), nullable=False),
    sa.Column("reference", sa.String(200), nullable=False),
    sa.Column("receipt", sa.Integer(), nullable=False),
    sa.Column("received_at", UTCDateTime(), nullable=False),
    sa.Column("recorded_by", sa.Uuid(), nullable=True),
    sa.Column("provider", sa.String(40), nullable=True),
    sa.Column("provider_ref", sa.String(200), nullable=True),
    sa.Column("allocated_minor", sa.BigInteger(), nullable=False),
    sa.Column("refunded_minor", sa.BigInteger(), nullable=False),
    sa.UniqueConstraint("institution_id", "receipt"),
    sa.UniqueConstraint("provider", "provider_ref"),
    sa.CheckConstraint(
        "amount_minor > 0 AND allocated_minor >= 0 AND refunded_minor >= 0 "
        "AND allocated_minor + refunded_minor <= amount_minor",
        name="amounts_consistent",
    ),
)

allocation = sa.Table(
    "billing_allocation",
    metadata,
    id_column(),
    institution_column(),
    _fk("account_id", "billing_account", index=False),
    _fk("payment_id", "billing_payment"),
    _fk("invoice_id", "billing_invoice"),
    sa.Column("kind", _enum(AllocationKind), nullable=False),
    _money(),
    sa.Column("created_at", UTCDateTime(), nullable=False),
)

refund = sa.Table(
    "billing_refund",
    metadata,
    id_column(),
    institution_column(),
    _fk("account_id", "billing_account", index=False),
    _fk("payment_id", "billing_payment"),
    sa.Column("number", sa.Integer(), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    _money(),
    sa.Column("reason", sa.String(500), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("created_by", sa.Uuid(), nullable=True),
    sa.Column("provider", sa.String(32), nullable=True),
    sa.Column("provider_ref", sa.String(255), nullable=True),
    sa.UniqueConstraint("institution_id", "number"),
    sa.CheckConstraint("amount_minor > 0", name="amount_positive"),
)

ledger_entry = sa.Table(
    "billing_ledger_entry",
    metadata,
    id_column(),
    institution_column(),
    sa.Column("transaction_id", sa.Uuid(), nullable=False, index=True),
    _fk("account_id", "billing_account"),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("reference_id", sa.Uuid(), nullable=False),
    sa.Column("ledger_account", sa.String(32), nullable=False),
    _money(),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("occurred_at", UTCDateTime(), nullable=False),
    sa.CheckConstraint("amount_minor <> 0", name="amount_nonzero"),
)

sequence = sa.Table(
    "billing_sequence",
    metadata,
    sa.Column(
        "institution_id",
        sa.Uuid(),
        sa.ForeignKey("institution.id", ondelete="RESTRICT"),
        primary_key=True,
    ),
    sa.Column("name", sa.String(32), primary_key=True),
    sa.Column("last_value", sa.Integer(), nullable=False),
)

provider_event = sa.Table(
    "billing_provider_event",
    metadata,
    sa.Column("provider", sa.String(40), primary_key=True),
    sa.Column("event_id", sa.String(200), primary_key=True),
    institution_column(),
    sa.Column("received_at", UTCDateTime(), nullable=False),
)

checkout = sa.Table(
    "billing_checkout",
    metadata,
    id_column(),
    institution_column(),
    _fk("account_id", "billing_account"),
    sa.Column("provider", sa.String(40), nullable=False),
    sa.Column("provider_ref", sa.String(200), nullable=False, unique=True),
    _money(),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
)


def map_domain() -> None:
    """Map the domain classes once (idempotent so re-imports do not fail)."""
    if getattr(FeeCategory, "__mapper__", None) is not None:
        return
    reg = mapper_registry
    reg.map_imperatively(FeeCategory, fee_category)
    reg.map_imperatively(FeeItem, fee_item)
    reg.map_imperatively(Installment, installment)
    reg.map_imperatively(
        FeePlan,
        fee_plan,
        properties={
            "installments": relationship(
                Installment, order_by=installment.c.seq, lazy="selectin", cascade="all"
            )
        },
    )
    reg.map_imperatively(Grant, grant)
    reg.map_imperatively(AccountStudent, account_student)
    reg.map_imperatively(Sponsorship, sponsorship)
    reg.map_imperatively(
        PayerAccount,
        account,
        properties={
            "students": relationship(AccountStudent, lazy="selectin", cascade="all"),
            "sponsorships": relationship(Sponsorship, lazy="selectin", cascade="all"),
        },
    )
    reg.map_imperatively(InvoiceLine, invoice_line)
    reg.map_imperatively(
        Invoice,
        invoice,
        properties={
            "lines": relationship(
                InvoiceLine,
                order_by=invoice_line.c.seq,
                lazy="selectin",
                cascade="all, delete-orphan",
            )
        },
    )
    reg.map_imperatively(CreditNote, credit_note)
    reg.map_imperatively(Payment, payment)
    reg.map_imperatively(Allocation, allocation)
    reg.map_imperatively(Refund, refund)


map_domain()
