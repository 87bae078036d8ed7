"""insights: the sessions alerted as "attendance not taken" (each once).

Revision ID: 0018
Revises: 0017
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from edtech.platform.db.types import UTCDateTime

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "attendance_not_taken_alert",
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column("alerted_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_attendance_not_taken_alert_institution_id_institution"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["attendance_session.id"],
            name=op.f("fk_attendance_not_taken_alert_session_id_attendance_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_attendance_not_taken_alert")),
    )
    with op.batch_alter_table("attendance_not_taken_alert", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_attendance_not_taken_alert_institution_id"),
            ["institution_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("attendance_not_taken_alert", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attendance_not_taken_alert_institution_id"))
    op.drop_table("attendance_not_taken_alert")
