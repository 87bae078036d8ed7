"""The insights tables: `StudentSignal` mapped imperatively (ADR-0005), and the record of
sessions alerted as "attendance not taken"."""

from __future__ import annotations

import enum

import sqlalchemy as sa

from edtech.insights.domain import Indicator, Level, StudentSignal
from edtech.platform.db.metadata import mapper_registry, metadata
from edtech.platform.db.types import UTCDateTime, id_column, institution_column


def _enum(cls: type[enum.StrEnum], length: int) -> sa.Enum:
    """A string column holding the enum's values (no native type, no CHECK: portable)."""
    return sa.Enum(
        cls,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda e: [m.value for m in e],
    )


student_signal = sa.Table(
    "student_signal",
    metadata,
    id_column(),
    institution_column(),
    sa.Column(
        "student_id",
        sa.Uuid(),
        sa.ForeignKey("person.id", ondelete="RESTRICT"),
        nullable=False,
        index=True,
    ),
    sa.Column(
        "school_id", sa.Uuid(), sa.ForeignKey("school.id", ondelete="RESTRICT"), nullable=True
    ),
    sa.Column("indicator", _enum(Indicator, 32), nullable=False),
    sa.Column("level", _enum(Level, 16), nullable=False),
    sa.Column("missed", sa.Integer(), nullable=False),
    sa.Column("counted", sa.Integer(), nullable=False),
    sa.Column("evidence", sa.String(400), nullable=False),
    sa.Column("missed_sessions", sa.JSON(), nullable=False),
    sa.Column("links", sa.JSON(), nullable=False, server_default="[]"),
    sa.Column("changed_at", UTCDateTime(), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.UniqueConstraint("student_id", "indicator"),
)

attendance_not_taken_alert = sa.Table(
    "attendance_not_taken_alert",
    metadata,
    sa.Column(
        "session_id",
        sa.Uuid(),
        sa.ForeignKey("attendance_session.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    institution_column(),
    sa.Column("alerted_at", UTCDateTime(), nullable=False),
)
"""Each session alerted as "attendance not taken" — once (a record without behaviour)."""

insights_threshold = sa.Table(
    "insights_threshold",
    metadata,
    sa.Column(
        "institution_id",
        sa.Uuid(),
        sa.ForeignKey("institution.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("chronic_absence_percent", sa.Integer(), nullable=False),
    sa.Column("consecutive_absent_days", sa.Integer(), nullable=False),
    sa.Column("failing_percent", sa.Integer(), nullable=False),
    sa.Column("grade_drop_points", sa.Integer(), nullable=False),
    sa.Column("missing_work", sa.Integer(), nullable=False),
    sa.Column("full_day_percent", sa.Integer(), nullable=False, server_default="75"),
    sa.Column("half_day_percent", sa.Integer(), nullable=False, server_default="25"),
    sa.Column("not_taken_after_minutes", sa.Integer(), nullable=False, server_default="10"),
    sa.Column("guardians_see_signals", sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    sa.Column("updated_by", sa.Uuid(), nullable=True),
)
"""An institution's thresholds and its `guardians_see_signals` switch (no row: the defaults). A
value object, written by one upsert."""

grade_standing = sa.Table(
    "grade_standing",
    metadata,
    sa.Column(
        "student_id", sa.Uuid(), sa.ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column(
        "section_id", sa.Uuid(), sa.ForeignKey("section.id", ondelete="CASCADE"), primary_key=True
    ),
    institution_column(),
    sa.Column("percent", sa.String(16), nullable=True),
    sa.Column("since", sa.Date(), nullable=False),
    sa.Column("previous_percent", sa.String(16), nullable=True),
    sa.Column("previous_since", sa.Date(), nullable=True),
)
"""The published course total insights last saw per (student, section), from which school day
(`since`), and the one before it: a drop since the last publication is `previous − percent`."""

# `version` counts the signal's changes of level (the domain bumps it) and is not the mapper's
# version counter: every writer holds the rows locked (`SqlAlchemySignals.claim_many`'s
# `SELECT … FOR UPDATE`), so a compare-and-set is not needed, and without it the flush sends a
# recompute's many same-shaped UPDATEs (a class's evidence after a publication) as one
# executemany instead of one round trip each.
mapper_registry.map_imperatively(StudentSignal, student_signal)
