"""communication: delivery receipts (message_delivery).

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from edtech.platform.db.types import UTCDateTime

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "message_delivery",
        sa.Column("message_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column("delivered_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name="fk_message_delivery_institution_id_institution",
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["message.id"],
            name="fk_message_delivery_message_id_message",
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("message_id", "person_id", name="pk_message_delivery"),
    )
    op.create_index("ix_message_delivery_institution_id", "message_delivery", ["institution_id"])


def downgrade() -> None:
    op.drop_table("message_delivery")
