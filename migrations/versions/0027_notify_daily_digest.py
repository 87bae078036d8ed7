"""notifications: the daily digest — a person's digest categories and hour, the day a held
notification waits for, and one sent-marker per person and day.

Revision ID: 0027
Revises: 0026
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from edtech.platform.db.types import UTCDateTime

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notification_digest",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("destination", sa.String(320), nullable=True),
        sa.Column("provider_ref", sa.String(300), nullable=True),
        sa.Column("reason", sa.String(300), nullable=True),
        sa.Column("node", sa.String(200), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_notification_digest_institution_id_institution"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_notification_digest_person_id_person"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_digest")),
        sa.UniqueConstraint("person_id", "day", name=op.f("uq_notification_digest_person_id_day")),
    )
    op.create_index(
        op.f("ix_notification_digest_institution_id"),
        "notification_digest",
        ["institution_id"],
        unique=False,
    )
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.add_column(sa.Column("digest_day", sa.Date(), nullable=True))
        batch_op.create_index(
            "ix_notification_digest_day_person_id", ["digest_day", "person_id"], unique=False
        )
    with op.batch_alter_table("notification_preference", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("digest", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
        batch_op.add_column(sa.Column("digest_hour", sa.SmallInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notification_preference", schema=None) as batch_op:
        batch_op.drop_column("digest_hour")
        batch_op.drop_column("digest")
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_index("ix_notification_digest_day_person_id")
        batch_op.drop_column("digest_day")
    op.drop_index(op.f("ix_notification_digest_institution_id"), table_name="notification_digest")
    op.drop_table("notification_digest")
