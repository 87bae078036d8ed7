"""The attendance tables, with the domain classes mapped onto them imperatively."""

from __future__ import annotations

import enum
from typing import Any

import sqlalchemy as sa

from edtech.attendance.domain import (
    AttendanceCode,
    AttendanceSession,
    Category,
    Excuse,
    ExcuseState,
    Mark,
    SessionKind,
    SessionState,
    Source,
)
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


def _fk(name: str, target: str, *, nullable: bool = False, index: bool = True) -> sa.Column[Any]:
    return sa.Column(
        name,
        sa.Uuid(),
        sa.ForeignKey(target, ondelete="RESTRICT"),
        nullable=nullable,
        index=index,
    )


attendance_code = sa.Table(
    "attendance_code",
    metadata,
    id_column(),
    institution_column(),
    sa.Column("code", sa.String(16), nullable=False),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("category", _enum(Category, 20), nullable=False),
    sa.Column("present_percent", sa.Integer(), nullable=False),
    sa.Column("is_system", sa.Boolean(), nullable=False),
    sa.Column("is_active", sa.Boolean(), nullable=False),
    sa.UniqueConstraint("institution_id", "code"),
)

attendance_session = sa.Table(
    "attendance_session",
    metadata,
    id_column(),
    institution_column(),
    _fk("school_id", "school.id", index=False),
    _fk("section_id", "section.id", index=False),
    sa.Column("kind", _enum(SessionKind, 16), nullable=False),
    sa.Column("day", sa.Date(), nullable=False, index=True),
    sa.Column("opens_at", UTCDateTime(), nullable=False),
    sa.Column("starts_at", UTCDateTime(), nullable=False),
    sa.Column("ends_at", UTCDateTime(), nullable=False),
    sa.Column("closes_at", UTCDateTime(), nullable=False, index=True),
    sa.Column("grace_minutes", sa.Integer(), nullable=False),
    sa.Column("late_cutoff_minutes", sa.Integer(), nullable=False),
    sa.Column("state", _enum(SessionState, 16), nullable=False),
    sa.Column("closed_at", UTCDateTime(), nullable=True),
    sa.Column("locked_at", UTCDateTime(), nullable=True),
    sa.Column("cancelled_at", UTCDateTime(), nullable=True),
    sa.Column("cancel_reason", sa.String(200), nullable=True),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.UniqueConstraint("section_id", "starts_at"),
)

attendance_mark = sa.Table(
    "attendance_mark",
    metadata,
    id_column(),
    institution_column(),
    _fk("session_id", "attendance_session.id", index=False),
    _fk("student_id", "person.id"),
    sa.Column("teacher_code", sa.String(16), nullable=True),
    sa.Column("official_code", sa.String(16), nullable=True),
    sa.Column("category", _enum(Category, 20), nullable=True),
    sa.Column("minutes_late", sa.Integer(), nullable=True),
    sa.Column("arrived_at", UTCDateTime(), nullable=True),
    sa.Column("departed_at", UTCDateTime(), nullable=True),
    sa.Column("source", _enum(Source, 16), nullable=True),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=True),
    sa.Column("updated_by", sa.Uuid(), nullable=True),
    sa.UniqueConstraint("session_id", "student_id"),
)

attendance_mark_change = sa.Table(
    "attendance_mark_change",
    metadata,
    id_column(),
    institution_column(),
    _fk("mark_id", "attendance_mark.id"),
    sa.Column("session_id", sa.Uuid(), nullable=False),
    sa.Column("student_id", sa.Uuid(), nullable=False),
    sa.Column("at", UTCDateTime(), nullable=False),
    sa.Column("actor_id", sa.Uuid(), nullable=True),
    sa.Column("source", _enum(Source, 16), nullable=False),
    sa.Column("before", sa.JSON(), nullable=False),
    sa.Column("after", sa.JSON(), nullable=False),
    sa.Column("reason", sa.Text(), nullable=True),
)
"""Append-only: rows are inserted, never updated or deleted."""

attendance_credential = sa.Table(
    "attendance_credential",
    metadata,
    id_column(),
    institution_column(),
    _fk("student_id", "person.id"),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("value_hash", sa.String(64), nullable=False),
    sa.Column("label", sa.String(32), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("revoked_at", UTCDateTime(), nullable=True),
    sa.UniqueConstraint("institution_id", "value_hash"),
)

attendance_scan = sa.Table(
    "attendance_scan",
    metadata,
    sa.Column("device_id", sa.Uuid(), primary_key=True),
    sa.Column("scan_id", sa.String(64), primary_key=True),
    institution_column(),
    sa.Column("scanned_at", UTCDateTime(), nullable=False),
    sa.Column("received_at", UTCDateTime(), nullable=False),
    sa.Column("result", sa.String(20), nullable=False),
    sa.Column("reason", sa.String(200), nullable=True),
    sa.Column("student_id", sa.Uuid(), nullable=True),
    sa.Column("session_id", sa.Uuid(), nullable=True),
)
"""Every scan a device sent, once: (device, scan id) makes uploads idempotent."""

attendance_excuse = sa.Table(
    "attendance_excuse",
    metadata,
    id_column(),
    institution_column(),
    _fk("student_id", "person.id"),
    _fk("submitted_by", "person.id", index=False),
    sa.Column("starts_on", sa.Date(), nullable=False),
    sa.Column("ends_on", sa.Date(), nullable=False),
    sa.Column("reason", sa.Text(), nullable=False),
    sa.Column("attachment_ref", sa.String(500), nullable=True),
    sa.Column("state", _enum(ExcuseState, 16), nullable=False),
    sa.Column("submitted_at", UTCDateTime(), nullable=False),
    sa.Column("decided_by", sa.Uuid(), nullable=True),
    sa.Column("decided_at", UTCDateTime(), nullable=True),
    sa.Column("note", sa.Text(), nullable=True),
)

attendance_check_in = sa.Table(
    "attendance_check_in",
    metadata,
    sa.Column(
        "session_id",
        sa.Uuid(),
        sa.ForeignKey("attendance_session.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("device_ref", sa.String(64), primary_key=True),
    institution_column(),
    sa.Column("student_id", sa.Uuid(), nullable=False),
    sa.Column("checked_in_at", UTCDateTime(), nullable=False),
)
"""QR self check-ins by (session, the student's device): one device, one student per session."""

mapper_registry.map_imperatively(AttendanceCode, attendance_code)
mapper_registry.map_imperatively(
    AttendanceSession, attendance_session, version_id_col=attendance_session.c.version
)
# The domain bumps `version`; the ORM adds `WHERE version = <loaded>` to every UPDATE, so a
# concurrent write makes the flush fail instead of silently overwriting (optimistic locking).
mapper_registry.map_imperatively(
    Mark, attendance_mark, version_id_col=attendance_mark.c.version, version_id_generator=False
)
mapper_registry.map_imperatively(Excuse, attendance_excuse)
