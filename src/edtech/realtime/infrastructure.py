"""Tables of the realtime hub: per-channel offsets, the outbox, and `send` receipts."""

from __future__ import annotations

import sqlalchemy as sa

from edtech.platform.db.metadata import metadata
from edtech.platform.db.types import UTCDateTime

channel_state = sa.Table(
    "channel_state",
    metadata,
    sa.Column("channel", sa.String(200), primary_key=True),
    sa.Column("last_offset", sa.BigInteger(), nullable=False),
    sa.Column("epoch", sa.String(16), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
)
"""One row per channel that ever had an event: its last committed offset and epoch."""

outbox_event = sa.Table(
    "outbox_event",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
    sa.Column("channel", sa.String(200), nullable=False),
    sa.Column("offset", sa.BigInteger(), nullable=False),
    sa.Column("type", sa.String(100), nullable=False),
    sa.Column("data", sa.JSON(), nullable=False),
    # Technical, not tenant-owned: no foreign key, so any slice's events fit.
    sa.Column("institution_id", sa.Uuid(), nullable=True),
    sa.Column("occurred_at", UTCDateTime(), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False, index=True),
    sa.Column("published_at", UTCDateTime(), nullable=True, index=True),
    sa.UniqueConstraint("channel", "offset"),
)
"""Every routed event, with its channel offset; durable channels recover from it."""

command_receipt = sa.Table(
    "command_receipt",
    metadata,
    sa.Column("person_id", sa.Uuid(), primary_key=True),
    sa.Column("client_id", sa.String(64), primary_key=True),
    sa.Column("channel", sa.String(200), nullable=False),
    sa.Column("reply", sa.JSON(), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False, index=True),
)
"""The reply to each `send` by client id, committed with its effect: retries take effect once."""
