"""The notifications tables: one row per recipient and event, one per (notification, channel)
attempt — the delivery proof and the idempotency key — the batches senders watch, preferences
and push devices. Records without behaviour of their own, written by Core statements."""

from __future__ import annotations

import sqlalchemy as sa

from edtech.platform.db.metadata import metadata
from edtech.platform.db.types import UTCDateTime, id_column, institution_column


def _person(name: str = "person_id") -> sa.Column[object]:
    return sa.Column(
        name, sa.Uuid(), sa.ForeignKey("person.id", ondelete="RESTRICT"), nullable=False
    )


notification_batch = sa.Table(
    "notification_batch",
    metadata,
    # The announcement's id: one batch per announcement.
    id_column(),
    institution_column(),
    _person("sender_id"),
    sa.Column("category", sa.String(40), nullable=False),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("total", sa.Integer(), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    # Touched by every progress write: the row lock orders the counts of concurrent nodes.
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    # Running counters, moved by one in the statement that settles an attempt or first reaches
    # a recipient (never recounted): `reached`, and per channel the attempts planned and those
    # sent, failed and skipped (pending = planned − the three).
    sa.Column("reached", sa.Integer(), nullable=False, server_default="0"),
    *(
        sa.Column(f"{channel}_{state}", sa.Integer(), nullable=False, server_default="0")
        for channel in ("push", "email", "sms")
        for state in ("planned", "sent", "failed", "skipped")
    ),
)

notification = sa.Table(
    "notification",
    metadata,
    id_column(),
    institution_column(),
    _person(),
    sa.Column("category", sa.String(40), nullable=False),
    sa.Column("event_type", sa.String(80), nullable=False),
    # What the event was about: `<session id>:<student id>` for an absence, the announcement id.
    sa.Column("source_key", sa.String(120), nullable=False),
    sa.Column("batch_id", sa.Uuid(), sa.ForeignKey("notification_batch.id"), nullable=True),
    sa.Column("subject_id", sa.Uuid(), nullable=True),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("body", sa.Text(), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("seen_at", UTCDateTime(), nullable=True),
    sa.Column("read_at", UTCDateTime(), nullable=True),
    # The first time it was seen, read or one of its attempts sent: set once (`WHERE … IS
    # NULL`), which is when its batch's `reached` counter moves.
    sa.Column("reached_at", UTCDateTime(), nullable=True),
    # Held for the person's daily digest: the school day whose digest carries it (null: not
    # held; its email attempt waits, `pending`, until that digest is sent).
    sa.Column("digest_day", sa.Date(), nullable=True),
    sa.UniqueConstraint("person_id", "event_type", "source_key"),
    sa.Index("ix_notification_person_id_created_at", "person_id", "created_at"),
    sa.Index("ix_notification_batch_id", "batch_id"),
    sa.Index("ix_notification_digest_day_person_id", "digest_day", "person_id"),
)

notification_attempt = sa.Table(
    "notification_attempt",
    metadata,
    # The primary key is the idempotency key: one attempt per notification and channel, ever.
    sa.Column(
        "notification_id",
        sa.Uuid(),
        sa.ForeignKey("notification.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("channel", sa.String(16), primary_key=True),
    institution_column(inherited=True),
    sa.Column("batch_id", sa.Uuid(), nullable=True),
    # pending (planned) → sending (handed to a node) → sent | failed | skipped
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("due_at", UTCDateTime(), nullable=False),
    sa.Column("destination", sa.String(320), nullable=True),
    sa.Column("provider_ref", sa.String(300), nullable=True),
    sa.Column("reason", sa.String(300), nullable=True),
    sa.Column("tries", sa.Integer(), nullable=False),
    # Which chunk job owns it: 0 the planned chunk's, n the n-th follow-up after a failed try.
    sa.Column("round", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("node", sa.String(200), nullable=True),
    sa.Column("started_at", UTCDateTime(), nullable=True),
    sa.Column("finished_at", UTCDateTime(), nullable=True),
    sa.Index("ix_notification_attempt_batch_id", "batch_id"),
)

notification_preference = sa.Table(
    "notification_preference",
    metadata,
    sa.Column(
        "person_id", sa.Uuid(), sa.ForeignKey("person.id", ondelete="RESTRICT"), primary_key=True
    ),
    institution_column(),
    # [[category, channel, on], …]: only what the person chose; the rest is the default.
    sa.Column("switches", sa.JSON(), nullable=False),
    sa.Column("quiet_starts_at", sa.Time(), nullable=True),
    sa.Column("quiet_ends_at", sa.Time(), nullable=True),
    sa.Column("sms_number", sa.String(20), nullable=True),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    # `en`, `es`…: the language the person reads; null: the school's locale.
    sa.Column("language", sa.String(8), nullable=True),
    # ["grade_published", …]: categories held for the daily digest instead of sent at once.
    sa.Column("digest", sa.JSON(), nullable=False, server_default=sa.text("'[]'")),
    # The hour (0–23, school time) the digest goes out; null: the default (18).
    sa.Column("digest_hour", sa.SmallInteger(), nullable=True),
)

notification_digest = sa.Table(
    "notification_digest",
    metadata,
    # The sent-marker of one person's daily digest: one per (person, school day), ever.
    id_column(),
    institution_column(),
    _person(),
    sa.Column("day", sa.Date(), nullable=False),
    # sending (its items claimed, committed before the email goes) → sent | failed | skipped
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("items", sa.Integer(), nullable=False),
    sa.Column("tries", sa.Integer(), nullable=False),
    sa.Column("destination", sa.String(320), nullable=True),
    sa.Column("provider_ref", sa.String(300), nullable=True),
    sa.Column("reason", sa.String(300), nullable=True),
    sa.Column("node", sa.String(200), nullable=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("finished_at", UTCDateTime(), nullable=True),
    sa.UniqueConstraint("person_id", "day"),
)

notification_policy = sa.Table(
    "notification_policy",
    metadata,
    # One per institution; none: the default mandatory categories.
    sa.Column(
        "institution_id",
        sa.Uuid(),
        sa.ForeignKey("institution.id", ondelete="RESTRICT"),
        primary_key=True,
    ),
    # ["absence", "urgent_announcement", …]: categories whose push and email nobody switches off.
    sa.Column("mandatory", sa.JSON(), nullable=False),
    sa.Column("updated_by", sa.Uuid(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
)

push_device = sa.Table(
    "push_device",
    metadata,
    id_column(),
    institution_column(),
    _person(),
    sa.Column("platform", sa.String(16), nullable=False),
    sa.Column("token", sa.String(4096), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    # Set when the provider said the token is no longer registered (the reason kept).
    sa.Column("disabled_at", UTCDateTime(), nullable=True),
    sa.Column("disabled_reason", sa.String(300), nullable=True),
    sa.Index("ix_push_device_person_id", "person_id"),
)
