"""files and communication: attachments on messages and announcements, image thumbnails, the
institution's attendance letter template.

A message and an announcement keep what they show of the files they carry (a JSON list, NULL
for none); a stored file keeps its thumbnail's key, size and checksum beside its own.

Revision ID: 0023
Revises: 0022
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from edtech.platform.db.types import UTCDateTime

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ("message", "announcement"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("attachments", sa.JSON(), nullable=True))
    with op.batch_alter_table("stored_file", schema=None) as batch_op:
        batch_op.add_column(sa.Column("thumbnail_key", sa.String(300), nullable=True))
        batch_op.add_column(sa.Column("thumbnail_size_bytes", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("thumbnail_sha256", sa.String(64), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_stored_file_thumbnail_key"), ["thumbnail_key"]
        )

    op.create_table(
        "attendance_letter_template",
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_attendance_letter_template_institution_id_institution"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"],
            ["person.id"],
            name=op.f("fk_attendance_letter_template_updated_by_person"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("institution_id", name=op.f("pk_attendance_letter_template")),
    )


def downgrade() -> None:
    op.drop_table("attendance_letter_template")
    with op.batch_alter_table("stored_file", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_stored_file_thumbnail_key"), type_="unique")
        batch_op.drop_column("thumbnail_sha256")
        batch_op.drop_column("thumbnail_size_bytes")
        batch_op.drop_column("thumbnail_key")
    for table in ("message", "announcement"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("attachments")
