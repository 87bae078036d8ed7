"""files: direct-upload slots (quarantined until confirmed) and the audit records of erasures.

Revision ID: 0020
Revises: 0019
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from edtech.platform.db.types import UTCDateTime

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "file_upload",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                "excuse_note",
                "receipt",
                "report_card",
                "record_package",
                name="category",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("record_type", sa.String(length=32), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("subject_ids", sa.JSON(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_key", sa.String(length=300), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "pending",
                "confirmed",
                "refused",
                name="uploadstate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["person.id"],
            name=op.f("fk_file_upload_created_by_person"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_file_upload_institution_id_institution"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_file_upload")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_file_upload_storage_key")),
    )
    with op.batch_alter_table("file_upload", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_file_upload_institution_id"), ["institution_id"], unique=False
        )
        batch_op.create_index("ix_file_upload_pending", ["state", "expires_at"], unique=False)

    op.create_table(
        "file_erasure",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("erased_by", sa.Uuid(), nullable=True),
        sa.Column("erased_at", UTCDateTime(), nullable=False),
        sa.Column("deleted", sa.JSON(), nullable=False),
        sa.Column("kept", sa.JSON(), nullable=False),
        sa.Column("anonymised", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["erased_by"],
            ["person.id"],
            name=op.f("fk_file_erasure_erased_by_person"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_file_erasure_institution_id_institution"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_file_erasure")),
    )
    with op.batch_alter_table("file_erasure", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_file_erasure_institution_id"), ["institution_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_file_erasure_person_id"), ["person_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("file_erasure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_file_erasure_person_id"))
        batch_op.drop_index(batch_op.f("ix_file_erasure_institution_id"))

    op.drop_table("file_erasure")
    with op.batch_alter_table("file_upload", schema=None) as batch_op:
        batch_op.drop_index("ix_file_upload_pending")
        batch_op.drop_index(batch_op.f("ix_file_upload_institution_id"))

    op.drop_table("file_upload")
