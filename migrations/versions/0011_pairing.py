"""institutions: guardian pairing — per-child pairing codes and the requests made with them.

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from edtech.platform.db.types import UTCDateTime

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pairing_code",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column("student_id", sa.Uuid(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("issued_by", sa.Uuid(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_pairing_code_institution_id_institution"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["person.id"],
            name=op.f("fk_pairing_code_student_id_person"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pairing_code")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_pairing_code_code_hash")),
    )
    with op.batch_alter_table("pairing_code", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pairing_code_institution_id"), ["institution_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_pairing_code_student_id"), ["student_id"], unique=False
        )

    op.create_table(
        "pairing_request",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column("student_id", sa.Uuid(), nullable=False),
        sa.Column("guardian_id", sa.Uuid(), nullable=False),
        sa.Column("code_id", sa.Uuid(), nullable=False),
        sa.Column("relationship", sa.String(length=32), nullable=False),
        sa.Column("requested_at", UTCDateTime(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "pending", "approved", "rejected", name="pairingstate", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("decided_by", sa.Uuid(), nullable=True),
        sa.Column("link_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["code_id"],
            ["pairing_code.id"],
            name=op.f("fk_pairing_request_code_id_pairing_code"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["guardian_id"],
            ["person.id"],
            name=op.f("fk_pairing_request_guardian_id_person"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_pairing_request_institution_id_institution"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["person.id"],
            name=op.f("fk_pairing_request_student_id_person"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pairing_request")),
    )
    with op.batch_alter_table("pairing_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pairing_request_guardian_id"), ["guardian_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_pairing_request_institution_id"), ["institution_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_pairing_request_student_id"), ["student_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("pairing_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pairing_request_student_id"))
        batch_op.drop_index(batch_op.f("ix_pairing_request_institution_id"))
        batch_op.drop_index(batch_op.f("ix_pairing_request_guardian_id"))

    op.drop_table("pairing_request")
    with op.batch_alter_table("pairing_code", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pairing_code_student_id"))
        batch_op.drop_index(batch_op.f("ix_pairing_code_institution_id"))

    op.drop_table("pairing_code")
