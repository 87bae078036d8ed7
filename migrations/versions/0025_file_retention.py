"""files: an institution's own retention periods per category.

Revision ID: 0025
Revises: 0024
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from edtech.platform.db.types import UTCDateTime

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "file_retention",
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column("periods", sa.JSON(), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_file_retention_institution_id_institution"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"],
            ["person.id"],
            name=op.f("fk_file_retention_updated_by_person"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("institution_id", name=op.f("pk_file_retention")),
    )


def downgrade() -> None:
    op.drop_table("file_retention")
