"""realtime: tables of the realtime slice.

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from edtech.platform.db.types import UTCDateTime

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "channel_state",
        sa.Column("channel", sa.String(200), nullable=False),
        sa.Column("last_offset", sa.BigInteger(), nullable=False),
        sa.Column("epoch", sa.String(16), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("channel", name="pk_channel_state"),
    )
    op.create_table(
        "outbox_event",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("channel", sa.String(200), nullable=False),
        sa.Column("offset", sa.BigInteger(), nullable=False),
        sa.Column("type", sa.String(100), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("institution_id", sa.Uuid(), nullable=True),
        sa.Column("occurred_at", UTCDateTime(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_outbox_event"),
        sa.UniqueConstraint("channel", "offset", name="uq_outbox_event_channel_offset"),
    )
    op.create_index("ix_outbox_event_created_at", "outbox_event", ["created_at"])
    op.create_index("ix_outbox_event_published_at", "outbox_event", ["published_at"])
    op.create_table(
        "command_receipt",
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(200), nullable=False),
        sa.Column("reply", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("person_id", "client_id", name="pk_command_receipt"),
    )
    op.create_index("ix_command_receipt_created_at", "command_receipt", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_command_receipt_created_at", table_name="command_receipt")
    op.drop_table("command_receipt")
    op.drop_index("ix_outbox_event_published_at", table_name="outbox_event")
    op.drop_index("ix_outbox_event_created_at", table_name="outbox_event")
    op.drop_table("outbox_event")
    op.drop_table("channel_state")
