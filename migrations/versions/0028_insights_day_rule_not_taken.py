"""insights: the institution sets how a school day is credited from its periods (full and half
day, % of the day's minutes) and how long after a period begins an empty register is alerted.

Revision ID: 0028
Revises: 0027
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    ("full_day_percent", "75"),
    ("half_day_percent", "25"),
    ("not_taken_after_minutes", "10"),
)


def upgrade() -> None:
    with op.batch_alter_table("insights_threshold") as batch:
        for name, default in COLUMNS:
            batch.add_column(sa.Column(name, sa.Integer(), nullable=False, server_default=default))


def downgrade() -> None:
    with op.batch_alter_table("insights_threshold") as batch:
        for name, _ in reversed(COLUMNS):
            batch.drop_column(name)
