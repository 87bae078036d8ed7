"""insights: per-institution thresholds, the course totals seen (grade drops), signal links.

Revision ID: 0026
Revises: 0025
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from edtech.platform.db.types import UTCDateTime

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "insights_threshold",
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column("chronic_absence_percent", sa.Integer(), nullable=False),
        sa.Column("consecutive_absent_days", sa.Integer(), nullable=False),
        sa.Column("failing_percent", sa.Integer(), nullable=False),
        sa.Column("grade_drop_points", sa.Integer(), nullable=False),
        sa.Column("missing_work", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_insights_threshold_institution_id_institution"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("institution_id", name=op.f("pk_insights_threshold")),
    )
    op.create_table(
        "grade_standing",
        sa.Column("student_id", sa.Uuid(), nullable=False),
        sa.Column("section_id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column("percent", sa.String(16), nullable=True),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("previous_percent", sa.String(16), nullable=True),
        sa.Column("previous_since", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_grade_standing_institution_id_institution"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["section_id"],
            ["section.id"],
            name=op.f("fk_grade_standing_section_id_section"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["person.id"],
            name=op.f("fk_grade_standing_student_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("student_id", "section_id", name=op.f("pk_grade_standing")),
    )
    with op.batch_alter_table("grade_standing", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_grade_standing_institution_id"), ["institution_id"], unique=False
        )
    with op.batch_alter_table("student_signal", schema=None) as batch_op:
        batch_op.add_column(sa.Column("links", sa.JSON(), server_default="[]", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("student_signal", schema=None) as batch_op:
        batch_op.drop_column("links")
    with op.batch_alter_table("grade_standing", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grade_standing_institution_id"))
    op.drop_table("grade_standing")
    op.drop_table("insights_threshold")
