"""billing: fee catalogue, payer accounts, invoices, payments, the ledger, idempotency keys.

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "billing_account",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("family", "sponsor", name="accountkind", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_billing_account_institution_id_institution"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_account")),
    )
    op.create_index(
        op.f("ix_billing_account_institution_id"),
        "billing_account",
        ["institution_id"],
        unique=False,
    )
    op.create_table(
        "billing_fee_category",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_billing_fee_category_institution_id_institution"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_fee_category")),
        sa.UniqueConstraint(
            "institution_id", "code", name=op.f("uq_billing_fee_category_institution_id_code")
        ),
    )
    op.create_index(
        op.f("ix_billing_fee_category_institution_id"),
        "billing_fee_category",
        ["institution_id"],
        unique=False,
    )
    op.create_table(
        "billing_fee_plan",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("item_ids", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_billing_fee_plan_institution_id_institution"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_fee_plan")),
    )
    op.create_index(
        op.f("ix_billing_fee_plan_institution_id"),
        "billing_fee_plan",
        ["institution_id"],
        unique=False,
    )
    op.create_table(
        "billing_provider_event",
        sa.Column("provider", sa.String(length=40), nullable=False),
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_billing_provider_event_institution_id_institution"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("provider", "event_id", name=op.f("pk_billing_provider_event")),
    )
    op.create_index(
        op.f("ix_billing_provider_event_institution_id"),
        "billing_provider_event",
        ["institution_id"],
        unique=False,
    )
    op.create_table(
        "billing_sequence",
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("last_value", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_billing_sequence_institution_id_institution"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("institution_id", "name", name=op.f("pk_billing_sequence")),
    )
    op.create_table(
        "idempotency_key",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column("principal_id", sa.Uuid(), nullable=False),
        sa.Column("route", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("response_status", sa.Integer(), nullable=True),
        sa.Column("response_body", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_idempotency_key_institution_id_institution"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_key")),
        sa.UniqueConstraint(
            "institution_id",
            "principal_id",
            "route",
            "key",
            name=op.f("uq_idempotency_key_institution_id_principal_id_route_key"),
        ),
    )
    op.create_index(
        op.f("ix_idempotency_key_expires_at"), "idempotency_key", ["expires_at"], unique=False
    )
    op.create_index(
        op.f("ix_idempotency_key_institution_id"),
        "idempotency_key",
        ["institution_id"],
        unique=False,
    )
    op.create_table(
        "billing_account_student",
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("student_id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column("fee_plan_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["billing_account.id"],
            name=op.f("fk_billing_account_student_account_id_billing_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["fee_plan_id"],
            ["billing_fee_plan.id"],
            name=op.f("fk_billing_account_student_fee_plan_id_billing_fee_plan"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_billing_account_student_institution_id_institution"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint(
            "account_id", "student_id", name=op.f("pk_billing_account_student")
        ),
    )
    op.create_index(
        op.f("ix_billing_account_student_fee_plan_id"),
        "billing_account_student",
        ["fee_plan_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_billing_account_student_institution_id"),
        "billing_account_student",
        ["institution_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_billing_account_student_student_id"),
        "billing_account_student",
        ["student_id"],
        unique=False,
    )
    op.create_table(
        "billing_checkout",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("provider", sa.String(length=40), nullable=False),
        sa.Column("provider_ref", sa.String(length=200), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["billing_account.id"],
            name=op.f("fk_billing_checkout_account_id_billing_account"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_billing_checkout_institution_id_institution"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_checkout")),
        sa.UniqueConstraint("provider_ref", name=op.f("uq_billing_checkout_provider_ref")),
    )
    op.create_index(
        op.f("ix_billing_checkout_account_id"), "billing_checkout", ["account_id"], unique=False
    )
    op.create_index(
        op.f("ix_billing_checkout_institution_id"),
        "billing_checkout",
        ["institution_id"],
        unique=False,
    )
    op.create_table(
        "billing_fee_item",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column("category_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column(
            "target",
            sa.Enum(
                "everyone",
                "school",
                "grade",
                "section",
                "student",
                name="target",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("target_value", sa.String(length=64), nullable=True),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_billing_fee_item_amount_positive")),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["billing_fee_category.id"],
            name=op.f("fk_billing_fee_item_category_id_billing_fee_category"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_billing_fee_item_institution_id_institution"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_fee_item")),
    )
    op.create_index(
        op.f("ix_billing_fee_item_category_id"), "billing_fee_item", ["category_id"], unique=False
    )
    op.create_index(
        op.f("ix_billing_fee_item_institution_id"),
        "billing_fee_item",
        ["institution_id"],
        unique=False,
    )
    op.create_table(
        "billing_grant",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column("student_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "sibling", "staff", "merit", "need", name="grantkind", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("percent_bp", sa.Integer(), nullable=True),
        sa.Column("amount_minor", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("category_id", sa.Uuid(), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("approved_by", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["billing_fee_category.id"],
            name=op.f("fk_billing_grant_category_id_billing_fee_category"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_billing_grant_institution_id_institution"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_grant")),
    )
    op.create_index(
        op.f("ix_billing_grant_institution_id"), "billing_grant", ["institution_id"], unique=False
    )
    op.create_index(
        op.f("ix_billing_grant_student_id"), "billing_grant", ["student_id"], unique=False
    )
    op.create_table(
        "billing_installment",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("share", sa.Integer(), nullable=False),
        sa.Column("term_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint("share > 0", name=op.f("ck_billing_installment_share_positive")),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_billing_installment_institution_id_institution"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["billing_fee_plan.id"],
            name=op.f("fk_billing_installment_plan_id_billing_fee_plan"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_installment")),
        sa.UniqueConstraint("plan_id", "seq", name=op.f("uq_billing_installment_plan_id_seq")),
    )
    op.create_index(
        op.f("ix_billing_installment_institution_id"),
        "billing_installment",
        ["institution_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_billing_installment_plan_id"), "billing_installment", ["plan_id"], unique=False
    )
    op.create_table(
        "billing_ledger_entry",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column("transaction_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("reference_id", sa.Uuid(), nullable=False),
        sa.Column("ledger_account", sa.String(length=32), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "amount_minor <> 0", name=op.f("ck_billing_ledger_entry_amount_nonzero")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["billing_account.id"],
            name=op.f("fk_billing_ledger_entry_account_id_billing_account"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_billing_ledger_entry_institution_id_institution"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_ledger_entry")),
    )
    op.create_index(
        op.f("ix_billing_ledger_entry_account_id"),
        "billing_ledger_entry",
        ["account_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_billing_ledger_entry_institution_id"),
        "billing_ledger_entry",
        ["institution_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_billing_ledger_entry_transaction_id"),
        "billing_ledger_entry",
        ["transaction_id"],
        unique=False,
    )
    op.create_table(
        "billing_payment",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column(
            "method",
            sa.Enum(
                "cash",
                "cheque",
                "bank_transfer",
                "card",
                name="paymentmethod",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("reference", sa.String(length=200), nullable=False),
        sa.Column("receipt", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.Uuid(), nullable=True),
        sa.Column("provider", sa.String(length=40), nullable=True),
        sa.Column("provider_ref", sa.String(length=200), nullable=True),
        sa.Column("allocated_minor", sa.BigInteger(), nullable=False),
        sa.Column("refunded_minor", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "amount_minor > 0 AND allocated_minor >= 0 AND refunded_minor >= 0 AND allocated_minor + refunded_minor <= amount_minor",
            name=op.f("ck_billing_payment_amounts_consistent"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["billing_account.id"],
            name=op.f("fk_billing_payment_account_id_billing_account"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_billing_payment_institution_id_institution"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_payment")),
        sa.UniqueConstraint(
            "institution_id", "receipt", name=op.f("uq_billing_payment_institution_id_receipt")
        ),
        sa.UniqueConstraint(
            "provider", "provider_ref", name=op.f("uq_billing_payment_provider_provider_ref")
        ),
    )
    op.create_index(
        op.f("ix_billing_payment_account_id"), "billing_payment", ["account_id"], unique=False
    )
    op.create_index(
        op.f("ix_billing_payment_institution_id"),
        "billing_payment",
        ["institution_id"],
        unique=False,
    )
    op.create_table(
        "billing_sponsorship",
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("student_id", sa.Uuid(), nullable=False),
        sa.Column("category_id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["billing_account.id"],
            name=op.f("fk_billing_sponsorship_account_id_billing_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["billing_fee_category.id"],
            name=op.f("fk_billing_sponsorship_category_id_billing_fee_category"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_billing_sponsorship_institution_id_institution"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint(
            "account_id", "student_id", "category_id", name=op.f("pk_billing_sponsorship")
        ),
    )
    op.create_index(
        op.f("ix_billing_sponsorship_institution_id"),
        "billing_sponsorship",
        ["institution_id"],
        unique=False,
    )
    op.create_table(
        "billing_invoice",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "open",
                "paid",
                "void",
                "uncollectible",
                name="invoicestatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("number", sa.Integer(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("memo", sa.String(length=500), nullable=False),
        sa.Column("plan_id", sa.Uuid(), nullable=True),
        sa.Column("installment_id", sa.Uuid(), nullable=True),
        sa.Column("total_minor", sa.BigInteger(), nullable=False),
        sa.Column("paid_minor", sa.BigInteger(), nullable=False),
        sa.Column("credited_minor", sa.BigInteger(), nullable=False),
        sa.Column("written_off_minor", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminders_sent", sa.Integer(), nullable=False),
        sa.Column("last_reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "paid_minor >= 0 AND credited_minor >= 0 AND (status = 'draft' OR paid_minor + credited_minor <= total_minor)",
            name=op.f("ck_billing_invoice_amounts_consistent"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["billing_account.id"],
            name=op.f("fk_billing_invoice_account_id_billing_account"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["installment_id"],
            ["billing_installment.id"],
            name=op.f("fk_billing_invoice_installment_id_billing_installment"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_billing_invoice_institution_id_institution"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["billing_fee_plan.id"],
            name=op.f("fk_billing_invoice_plan_id_billing_fee_plan"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_invoice")),
        sa.UniqueConstraint(
            "account_id",
            "installment_id",
            name=op.f("uq_billing_invoice_account_id_installment_id"),
        ),
        sa.UniqueConstraint(
            "institution_id", "number", name=op.f("uq_billing_invoice_institution_id_number")
        ),
    )
    op.create_index(
        op.f("ix_billing_invoice_account_id"), "billing_invoice", ["account_id"], unique=False
    )
    op.create_index(
        op.f("ix_billing_invoice_institution_id"),
        "billing_invoice",
        ["institution_id"],
        unique=False,
    )
    op.create_table(
        "billing_refund",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("payment_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_billing_refund_amount_positive")),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["billing_account.id"],
            name=op.f("fk_billing_refund_account_id_billing_account"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_billing_refund_institution_id_institution"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["billing_payment.id"],
            name=op.f("fk_billing_refund_payment_id_billing_payment"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_refund")),
        sa.UniqueConstraint(
            "institution_id", "number", name=op.f("uq_billing_refund_institution_id_number")
        ),
    )
    op.create_index(
        op.f("ix_billing_refund_institution_id"), "billing_refund", ["institution_id"], unique=False
    )
    op.create_index(
        op.f("ix_billing_refund_payment_id"), "billing_refund", ["payment_id"], unique=False
    )
    op.create_table(
        "billing_allocation",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("payment_id", sa.Uuid(), nullable=False),
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "payment", "credit", "refund", name="allocationkind", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["billing_account.id"],
            name=op.f("fk_billing_allocation_account_id_billing_account"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_billing_allocation_institution_id_institution"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["billing_invoice.id"],
            name=op.f("fk_billing_allocation_invoice_id_billing_invoice"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["billing_payment.id"],
            name=op.f("fk_billing_allocation_payment_id_billing_payment"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_allocation")),
    )
    op.create_index(
        op.f("ix_billing_allocation_institution_id"),
        "billing_allocation",
        ["institution_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_billing_allocation_invoice_id"), "billing_allocation", ["invoice_id"], unique=False
    )
    op.create_index(
        op.f("ix_billing_allocation_payment_id"), "billing_allocation", ["payment_id"], unique=False
    )
    op.create_table(
        "billing_credit_note",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_billing_credit_note_amount_positive")),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["billing_account.id"],
            name=op.f("fk_billing_credit_note_account_id_billing_account"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_billing_credit_note_institution_id_institution"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["billing_invoice.id"],
            name=op.f("fk_billing_credit_note_invoice_id_billing_invoice"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_credit_note")),
        sa.UniqueConstraint(
            "institution_id", "number", name=op.f("uq_billing_credit_note_institution_id_number")
        ),
    )
    op.create_index(
        op.f("ix_billing_credit_note_institution_id"),
        "billing_credit_note",
        ["institution_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_billing_credit_note_invoice_id"),
        "billing_credit_note",
        ["invoice_id"],
        unique=False,
    )
    op.create_table(
        "billing_invoice_line",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("fee", "discount", "manual", name="linekind", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("student_id", sa.Uuid(), nullable=True),
        sa.Column("category_id", sa.Uuid(), nullable=True),
        sa.Column("fee_item_id", sa.Uuid(), nullable=True),
        sa.Column("grant_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_billing_invoice_line_institution_id_institution"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["billing_invoice.id"],
            name=op.f("fk_billing_invoice_line_invoice_id_billing_invoice"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_invoice_line")),
    )
    op.create_index(
        op.f("ix_billing_invoice_line_institution_id"),
        "billing_invoice_line",
        ["institution_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_billing_invoice_line_invoice_id"),
        "billing_invoice_line",
        ["invoice_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_billing_invoice_line_invoice_id"), table_name="billing_invoice_line")
    op.drop_index(op.f("ix_billing_invoice_line_institution_id"), table_name="billing_invoice_line")
    op.drop_table("billing_invoice_line")
    op.drop_index(op.f("ix_billing_credit_note_invoice_id"), table_name="billing_credit_note")
    op.drop_index(op.f("ix_billing_credit_note_institution_id"), table_name="billing_credit_note")
    op.drop_table("billing_credit_note")
    op.drop_index(op.f("ix_billing_allocation_payment_id"), table_name="billing_allocation")
    op.drop_index(op.f("ix_billing_allocation_invoice_id"), table_name="billing_allocation")
    op.drop_index(op.f("ix_billing_allocation_institution_id"), table_name="billing_allocation")
    op.drop_table("billing_allocation")
    op.drop_index(op.f("ix_billing_refund_payment_id"), table_name="billing_refund")
    op.drop_index(op.f("ix_billing_refund_institution_id"), table_name="billing_refund")
    op.drop_table("billing_refund")
    op.drop_index(op.f("ix_billing_invoice_institution_id"), table_name="billing_invoice")
    op.drop_index(op.f("ix_billing_invoice_account_id"), table_name="billing_invoice")
    op.drop_table("billing_invoice")
    op.drop_index(op.f("ix_billing_sponsorship_institution_id"), table_name="billing_sponsorship")
    op.drop_table("billing_sponsorship")
    op.drop_index(op.f("ix_billing_payment_institution_id"), table_name="billing_payment")
    op.drop_index(op.f("ix_billing_payment_account_id"), table_name="billing_payment")
    op.drop_table("billing_payment")
    op.drop_index(op.f("ix_billing_ledger_entry_transaction_id"), table_name="billing_ledger_entry")
    op.drop_index(op.f("ix_billing_ledger_entry_institution_id"), table_name="billing_ledger_entry")
    op.drop_index(op.f("ix_billing_ledger_entry_account_id"), table_name="billing_ledger_entry")
    op.drop_table("billing_ledger_entry")
    op.drop_index(op.f("ix_billing_installment_plan_id"), table_name="billing_installment")
    op.drop_index(op.f("ix_billing_installment_institution_id"), table_name="billing_installment")
    op.drop_table("billing_installment")
    op.drop_index(op.f("ix_billing_grant_student_id"), table_name="billing_grant")
    op.drop_index(op.f("ix_billing_grant_institution_id"), table_name="billing_grant")
    op.drop_table("billing_grant")
    op.drop_index(op.f("ix_billing_fee_item_institution_id"), table_name="billing_fee_item")
    op.drop_index(op.f("ix_billing_fee_item_category_id"), table_name="billing_fee_item")
    op.drop_table("billing_fee_item")
    op.drop_index(op.f("ix_billing_checkout_institution_id"), table_name="billing_checkout")
    op.drop_index(op.f("ix_billing_checkout_account_id"), table_name="billing_checkout")
    op.drop_table("billing_checkout")
    op.drop_index(
        op.f("ix_billing_account_student_student_id"), table_name="billing_account_student"
    )
    op.drop_index(
        op.f("ix_billing_account_student_institution_id"), table_name="billing_account_student"
    )
    op.drop_index(
        op.f("ix_billing_account_student_fee_plan_id"), table_name="billing_account_student"
    )
    op.drop_table("billing_account_student")
    op.drop_index(op.f("ix_idempotency_key_institution_id"), table_name="idempotency_key")
    op.drop_index(op.f("ix_idempotency_key_expires_at"), table_name="idempotency_key")
    op.drop_table("idempotency_key")
    op.drop_table("billing_sequence")
    op.drop_index(
        op.f("ix_billing_provider_event_institution_id"), table_name="billing_provider_event"
    )
    op.drop_table("billing_provider_event")
    op.drop_index(op.f("ix_billing_fee_plan_institution_id"), table_name="billing_fee_plan")
    op.drop_table("billing_fee_plan")
    op.drop_index(op.f("ix_billing_fee_category_institution_id"), table_name="billing_fee_category")
    op.drop_table("billing_fee_category")
    op.drop_index(op.f("ix_billing_account_institution_id"), table_name="billing_account")
    op.drop_table("billing_account")
