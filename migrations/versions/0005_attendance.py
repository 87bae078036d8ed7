"""attendance: codes, sessions, marks and their history, credentials, scans, excuses, check-ins.

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from edtech.platform.db.types import UTCDateTime

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "attendance_code",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                "present",
                "tardy",
                "absent",
                "excused_absence",
                "early_departure",
                name="category",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("present_percent", sa.Integer(), nullable=False),
        sa.Column("is_system", sa.Boolean(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_attendance_code_institution_id_institution"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance_code")),
        sa.UniqueConstraint(
            "institution_id", "code", name=op.f("uq_attendance_code_institution_id_code")
        ),
    )
    op.create_index(
        op.f("ix_attendance_code_institution_id"),
        "attendance_code",
        ["institution_id"],
        unique=False,
    )
    op.create_table(
        "attendance_scan",
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("scan_id", sa.String(length=64), nullable=False),
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column("scanned_at", UTCDateTime(), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("result", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("student_id", sa.Uuid(), nullable=True),
        sa.Column("session_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_attendance_scan_institution_id_institution"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("device_id", "scan_id", name=op.f("pk_attendance_scan")),
    )
    op.create_index(
        op.f("ix_attendance_scan_institution_id"),
        "attendance_scan",
        ["institution_id"],
        unique=False,
    )
    op.create_table(
        "attendance_credential",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column("student_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value_hash", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=32), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_attendance_credential_institution_id_institution"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["person.id"],
            name=op.f("fk_attendance_credential_student_id_person"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance_credential")),
        sa.UniqueConstraint(
            "institution_id",
            "value_hash",
            name=op.f("uq_attendance_credential_institution_id_value_hash"),
        ),
    )
    op.create_index(
        op.f("ix_attendance_credential_institution_id"),
        "attendance_credential",
        ["institution_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_attendance_credential_student_id"),
        "attendance_credential",
        ["student_id"],
        unique=False,
    )
    op.create_table(
        "attendance_excuse",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column("student_id", sa.Uuid(), nullable=False),
        sa.Column("submitted_by", sa.Uuid(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("attachment_ref", sa.String(length=500), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "pending", "approved", "rejected", name="excusestate", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("submitted_at", UTCDateTime(), nullable=False),
        sa.Column("decided_by", sa.Uuid(), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_attendance_excuse_institution_id_institution"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["person.id"],
            name=op.f("fk_attendance_excuse_student_id_person"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by"],
            ["person.id"],
            name=op.f("fk_attendance_excuse_submitted_by_person"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance_excuse")),
    )
    op.create_index(
        op.f("ix_attendance_excuse_institution_id"),
        "attendance_excuse",
        ["institution_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_attendance_excuse_student_id"), "attendance_excuse", ["student_id"], unique=False
    )
    op.create_table(
        "attendance_session",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("section_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("period", "daily", name="sessionkind", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("opens_at", UTCDateTime(), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("ends_at", UTCDateTime(), nullable=False),
        sa.Column("closes_at", UTCDateTime(), nullable=False),
        sa.Column("grace_minutes", sa.Integer(), nullable=False),
        sa.Column("late_cutoff_minutes", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "scheduled",
                "open",
                "closed",
                "locked",
                name="sessionstate",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("locked_at", UTCDateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_attendance_session_institution_id_institution"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["school.id"],
            name=op.f("fk_attendance_session_school_id_school"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["section_id"],
            ["section.id"],
            name=op.f("fk_attendance_session_section_id_section"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance_session")),
        sa.UniqueConstraint(
            "section_id", "starts_at", name=op.f("uq_attendance_session_section_id_starts_at")
        ),
    )
    op.create_index(
        op.f("ix_attendance_session_closes_at"), "attendance_session", ["closes_at"], unique=False
    )
    op.create_index(op.f("ix_attendance_session_day"), "attendance_session", ["day"], unique=False)
    op.create_index(
        op.f("ix_attendance_session_institution_id"),
        "attendance_session",
        ["institution_id"],
        unique=False,
    )
    op.create_table(
        "attendance_check_in",
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("device_ref", sa.String(length=64), nullable=False),
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column("student_id", sa.Uuid(), nullable=False),
        sa.Column("checked_in_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_attendance_check_in_institution_id_institution"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["attendance_session.id"],
            name=op.f("fk_attendance_check_in_session_id_attendance_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", "device_ref", name=op.f("pk_attendance_check_in")),
    )
    op.create_index(
        op.f("ix_attendance_check_in_institution_id"),
        "attendance_check_in",
        ["institution_id"],
        unique=False,
    )
    op.create_table(
        "attendance_mark",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("student_id", sa.Uuid(), nullable=False),
        sa.Column("teacher_code", sa.String(length=16), nullable=True),
        sa.Column("official_code", sa.String(length=16), nullable=True),
        sa.Column(
            "category",
            sa.Enum(
                "present",
                "tardy",
                "absent",
                "excused_absence",
                "early_departure",
                name="category",
                native_enum=False,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column("minutes_late", sa.Integer(), nullable=True),
        sa.Column("arrived_at", UTCDateTime(), nullable=True),
        sa.Column("departed_at", UTCDateTime(), nullable=True),
        sa.Column(
            "source",
            sa.Enum(
                "scan",
                "qr",
                "teacher",
                "office",
                "auto",
                name="source",
                native_enum=False,
                length=16,
            ),
            nullable=True,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=True),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_attendance_mark_institution_id_institution"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["attendance_session.id"],
            name=op.f("fk_attendance_mark_session_id_attendance_session"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["person.id"],
            name=op.f("fk_attendance_mark_student_id_person"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance_mark")),
        sa.UniqueConstraint(
            "session_id", "student_id", name=op.f("uq_attendance_mark_session_id_student_id")
        ),
    )
    op.create_index(
        op.f("ix_attendance_mark_institution_id"),
        "attendance_mark",
        ["institution_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_attendance_mark_student_id"), "attendance_mark", ["student_id"], unique=False
    )
    op.create_table(
        "attendance_mark_change",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column("mark_id", sa.Uuid(), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("student_id", sa.Uuid(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column(
            "source",
            sa.Enum(
                "scan",
                "qr",
                "teacher",
                "office",
                "auto",
                name="source",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("before", sa.JSON(), nullable=False),
        sa.Column("after", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_attendance_mark_change_institution_id_institution"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["mark_id"],
            ["attendance_mark.id"],
            name=op.f("fk_attendance_mark_change_mark_id_attendance_mark"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance_mark_change")),
    )
    op.create_index(
        op.f("ix_attendance_mark_change_institution_id"),
        "attendance_mark_change",
        ["institution_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_attendance_mark_change_mark_id"),
        "attendance_mark_change",
        ["mark_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_attendance_mark_change_mark_id"), table_name="attendance_mark_change")
    op.drop_index(
        op.f("ix_attendance_mark_change_institution_id"), table_name="attendance_mark_change"
    )
    op.drop_table("attendance_mark_change")
    op.drop_index(op.f("ix_attendance_mark_student_id"), table_name="attendance_mark")
    op.drop_index(op.f("ix_attendance_mark_institution_id"), table_name="attendance_mark")
    op.drop_table("attendance_mark")
    op.drop_index(op.f("ix_attendance_check_in_institution_id"), table_name="attendance_check_in")
    op.drop_table("attendance_check_in")
    op.drop_index(op.f("ix_attendance_session_institution_id"), table_name="attendance_session")
    op.drop_index(op.f("ix_attendance_session_day"), table_name="attendance_session")
    op.drop_index(op.f("ix_attendance_session_closes_at"), table_name="attendance_session")
    op.drop_table("attendance_session")
    op.drop_index(op.f("ix_attendance_excuse_student_id"), table_name="attendance_excuse")
    op.drop_index(op.f("ix_attendance_excuse_institution_id"), table_name="attendance_excuse")
    op.drop_table("attendance_excuse")
    op.drop_index(op.f("ix_attendance_credential_student_id"), table_name="attendance_credential")
    op.drop_index(
        op.f("ix_attendance_credential_institution_id"), table_name="attendance_credential"
    )
    op.drop_table("attendance_credential")
    op.drop_index(op.f("ix_attendance_scan_institution_id"), table_name="attendance_scan")
    op.drop_table("attendance_scan")
    op.drop_index(op.f("ix_attendance_code_institution_id"), table_name="attendance_code")
    op.drop_table("attendance_code")
