"""insights: an institution's switch that lets guardians see their own children's signals
(`insights_threshold.guardians_see_signals`, off for every institution that set thresholds).

Revision ID: 0029
Revises: 0028
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0029"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("insights_threshold", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "guardians_see_signals",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("insights_threshold", schema=None) as batch_op:
        batch_op.drop_column("guardians_see_signals")
