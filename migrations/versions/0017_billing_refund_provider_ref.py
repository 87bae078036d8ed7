"""billing: a card refund keeps the provider that made it and the provider's id for it.

Revision ID: 0017
Revises: 0016
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("billing_refund", schema=None) as batch_op:
        batch_op.add_column(sa.Column("provider", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("provider_ref", sa.String(length=255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("billing_refund", schema=None) as batch_op:
        batch_op.drop_column("provider_ref")
        batch_op.drop_column("provider")
