"""files: stored files (absence-note evidence, receipts, report cards, record packages) and
the students each is about.

Revision ID: 0014
Revises: 0013
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from edtech.platform.db.types import UTCDateTime

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stored_file",
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
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_key", sa.String(length=300), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["person.id"],
            name=op.f("fk_stored_file_created_by_person"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_stored_file_institution_id_institution"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stored_file")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_stored_file_storage_key")),
    )
    with op.batch_alter_table("stored_file", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_stored_file_institution_id"), ["institution_id"], unique=False
        )
        batch_op.create_index(
            "ix_stored_file_record", ["institution_id", "record_type", "record_id"], unique=False
        )

    op.create_table(
        "stored_file_subject",
        sa.Column("file_id", sa.Uuid(), nullable=False),
        sa.Column("student_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["stored_file.id"],
            name=op.f("fk_stored_file_subject_file_id_stored_file"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["person.id"],
            name=op.f("fk_stored_file_subject_student_id_person"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("file_id", "student_id", name=op.f("pk_stored_file_subject")),
    )
    with op.batch_alter_table("stored_file_subject", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_stored_file_subject_student_id"), ["student_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("stored_file_subject", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stored_file_subject_student_id"))

    op.drop_table("stored_file_subject")
    with op.batch_alter_table("stored_file", schema=None) as batch_op:
        batch_op.drop_index("ix_stored_file_record")
        batch_op.drop_index(batch_op.f("ix_stored_file_institution_id"))

    op.drop_table("stored_file")
