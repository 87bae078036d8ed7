"""notifications: running counters on the batch row, and when a notification was first reached.

A rung moves the batch's counters by one in the statement that settles its attempt, instead of
recounting the whole batch under the batch row's lock (issue #16's benchmark). Existing batches
are counted once here.

Revision ID: 0022
Revises: 0021
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from edtech.platform.db.types import UTCDateTime

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHANNELS = ("push", "email", "sms")
STATES = ("planned", "sent", "failed", "skipped")


def upgrade() -> None:
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reached_at", UTCDateTime(), nullable=True))
    with op.batch_alter_table("notification_batch", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reached", sa.Integer(), nullable=False, server_default="0"))
        for channel in CHANNELS:
            for state in STATES:
                batch_op.add_column(
                    sa.Column(
                        f"{channel}_{state}", sa.Integer(), nullable=False, server_default="0"
                    )
                )
    # A notification was reached when it was first seen or one of its attempts was sent.
    op.execute(
        "UPDATE notification SET reached_at = COALESCE(seen_at, ("
        " SELECT MIN(COALESCE(a.finished_at, a.started_at, a.due_at))"
        " FROM notification_attempt a"
        " WHERE a.notification_id = notification.id AND a.state = 'sent'))"
        " WHERE batch_id IS NOT NULL OR seen_at IS NOT NULL"
        " OR EXISTS (SELECT 1 FROM notification_attempt a"
        " WHERE a.notification_id = notification.id AND a.state = 'sent')"
    )
    batch = sa.table(
        "notification_batch",
        sa.column("id"),
        sa.column("reached"),
        *(sa.column(f"{channel}_{state}") for channel in CHANNELS for state in STATES),
    )
    n = sa.table("notification", sa.column("batch_id"), sa.column("reached_at"))
    a = sa.table(
        "notification_attempt", sa.column("batch_id"), sa.column("channel"), sa.column("state")
    )

    def count(table: sa.TableClause, *where: sa.ColumnElement[bool]) -> sa.ScalarSelect[int]:
        return (
            sa.select(sa.func.count())
            .select_from(table)
            .where(table.c.batch_id == batch.c.id, *where)
            .scalar_subquery()
        )

    values: dict[str, sa.ScalarSelect[int]] = {"reached": count(n, n.c.reached_at.is_not(None))}
    for channel in CHANNELS:
        for state in STATES:
            where = [a.c.channel == channel]
            if state != "planned":
                where.append(a.c.state == state)
            values[f"{channel}_{state}"] = count(a, *where)
    op.execute(sa.update(batch).values(values))


def downgrade() -> None:
    with op.batch_alter_table("notification_batch", schema=None) as batch_op:
        for channel in reversed(CHANNELS):
            for state in reversed(STATES):
                batch_op.drop_column(f"{channel}_{state}")
        batch_op.drop_column("reached")
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_column("reached_at")
