"""The `job` table: every deferred, running, finished and dead job, on both dialects."""

from __future__ import annotations

import sqlalchemy as sa

from edtech.platform.db.metadata import metadata
from edtech.platform.db.types import UTCDateTime, id_column

ACTIVE = "state IN ('queued', 'running')"

job_table = sa.Table(
    "job",
    metadata,
    id_column(),
    sa.Column("name", sa.String(120), nullable=False),
    sa.Column("args", sa.JSON(), nullable=False),
    # queued → running → succeeded | queued (retry, later run_at) | failed (dead letter)
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer(), nullable=False),
    sa.Column("max_attempts", sa.Integer(), nullable=False),
    sa.Column("run_at", UTCDateTime(), nullable=False),
    sa.Column("lock", sa.String(200), nullable=True),
    # No foreign key: platform-wide jobs have none, and a job may outlive what it names.
    sa.Column("institution_id", sa.Uuid(), nullable=True, index=True),
    sa.Column("node", sa.String(200), nullable=True),
    sa.Column("lease_until", UTCDateTime(), nullable=True),
    sa.Column("last_error", sa.Text(), nullable=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("started_at", UTCDateTime(), nullable=True),
    sa.Column("finished_at", UTCDateTime(), nullable=True),
    sa.Index("ix_job_state_run_at", "state", "run_at"),
    # At most one queued-or-running job per lock: a second defer with the same lock is a no-op.
    sa.Index(
        "ux_job_lock_active",
        "lock",
        unique=True,
        postgresql_where=sa.text(ACTIVE),
        sqlite_where=sa.text(ACTIVE),
    ),
)
