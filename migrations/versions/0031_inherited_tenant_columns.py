"""An announcement's recipients and a notification's attempts name their institution without a
foreign key or an index of their own: their parent row (the announcement, the notification)
carries both, and they are only reached through it (ADR-0015).

Revision ID: 0031
Revises: 0030
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0031"
down_revision: str | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("announcement_recipient", "notification_attempt")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_institution_id"))
            batch_op.drop_constraint(
                batch_op.f(f"fk_{table}_institution_id_institution"), type_="foreignkey"
            )


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_foreign_key(
                batch_op.f(f"fk_{table}_institution_id_institution"),
                "institution",
                ["institution_id"],
                ["id"],
                ondelete="RESTRICT",
            )
            batch_op.create_index(
                batch_op.f(f"ix_{table}_institution_id"), ["institution_id"], unique=False
            )
