"""OneRoster's own tables: which roster record each outside `sourcedId` is, and the OAuth 2
clients of the integrations (an LMS rostering from us, writing grades back).

`oneroster_source` keeps every imported row (its columns, `metadata.*` extensions included),
so an export writes back what came in and a re-import of the same row changes nothing. It is
Core-only: an append/update log of mappings with no behaviour (ADR-0005).
"""

from __future__ import annotations

import sqlalchemy as sa

from edtech.platform.db.metadata import metadata
from edtech.platform.db.types import UTCDateTime, id_column, institution_column

source = sa.Table(
    "oneroster_source",
    metadata,
    id_column(),
    institution_column(),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("sourced_id", sa.String(255), nullable=False),
    sa.Column("target_id", sa.Uuid(), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("record", sa.JSON(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    sa.UniqueConstraint("institution_id", "kind", "sourced_id"),
    sa.Index("ix_oneroster_source_target", "institution_id", "kind", "target_id"),
)

client = sa.Table(
    "oneroster_client",
    metadata,
    id_column(),
    institution_column(),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("client_id", sa.String(64), nullable=False, unique=True),
    sa.Column("secret_hash", sa.String(128), nullable=False),
    sa.Column("scopes", sa.JSON(), nullable=False),
    sa.Column(
        "acts_as", sa.Uuid(), sa.ForeignKey("person.id", ondelete="RESTRICT"), nullable=False
    ),
    sa.Column("publishes", sa.Boolean(), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("revoked_at", UTCDateTime(), nullable=True),
)

roster_import = sa.Table(
    "oneroster_import",
    metadata,
    id_column(),
    institution_column(),
    sa.Column(
        "requested_by", sa.Uuid(), sa.ForeignKey("person.id", ondelete="RESTRICT"), nullable=False
    ),
    sa.Column("job_id", sa.Uuid(), nullable=True),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("dry_run", sa.Boolean(), nullable=False),
    sa.Column("lenient", sa.Boolean(), nullable=False),
    sa.Column("package", sa.LargeBinary(), nullable=True),
    sa.Column("progress", sa.JSON(), nullable=False),
    sa.Column("report", sa.JSON(), nullable=True),
    sa.Column("problem", sa.JSON(), nullable=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("started_at", UTCDateTime(), nullable=True),
    sa.Column("finished_at", UTCDateTime(), nullable=True),
)
"""A roster import: queued by an upload, run by the `oneroster.import` job. `package` holds the
uploaded zip until the import ends (then it is emptied: the roster keeps what counts).
Core-only (ADR-0005): a job's record with no behaviour."""
