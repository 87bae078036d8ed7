"""calendar and insights: declared days (holidays, closures, early releases), bell schedules,
rotations; attendance sessions can be cancelled (when and why); students' signals.

Revision ID: 0016
Revises: 0015
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from edtech.platform.db.types import UTCDateTime

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "bell_schedule",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("periods", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_bell_schedule_institution_id_institution"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["school.id"],
            name=op.f("fk_bell_schedule_school_id_school"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bell_schedule")),
        sa.UniqueConstraint("school_id", "name", name=op.f("uq_bell_schedule_school_id_name")),
    )
    with op.batch_alter_table("bell_schedule", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_bell_schedule_institution_id"), ["institution_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_bell_schedule_school_id"), ["school_id"], unique=False)

    op.create_table(
        "calendar_day",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "holiday", "closure", "early_release", name="daykind", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("bell_schedule_id", sa.Uuid(), nullable=True),
        sa.Column("declared_at", UTCDateTime(), nullable=False),
        sa.Column("declared_by", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["bell_schedule_id"],
            ["bell_schedule.id"],
            name=op.f("fk_calendar_day_bell_schedule_id_bell_schedule"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_calendar_day_institution_id_institution"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["school.id"],
            name=op.f("fk_calendar_day_school_id_school"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_day")),
    )
    with op.batch_alter_table("calendar_day", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_calendar_day_day"), ["day"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_calendar_day_institution_id"), ["institution_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_calendar_day_school_id"), ["school_id"], unique=False)

    op.create_table(
        "rotation",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("bell_schedule_id", sa.Uuid(), nullable=False),
        sa.Column("meetings", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["bell_schedule_id"],
            ["bell_schedule.id"],
            name=op.f("fk_rotation_bell_schedule_id_bell_schedule"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_rotation_institution_id_institution"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["school.id"],
            name=op.f("fk_rotation_school_id_school"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rotation")),
    )
    with op.batch_alter_table("rotation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rotation_institution_id"), ["institution_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_rotation_school_id"), ["school_id"], unique=False)

    with op.batch_alter_table("attendance_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cancelled_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("cancel_reason", sa.String(length=200), nullable=True))

    op.create_table(
        "student_signal",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column("student_id", sa.Uuid(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=True),
        sa.Column(
            "indicator",
            sa.Enum("absence", name="indicator", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column(
            "level",
            sa.Enum("none", "alert", name="level", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("missed", sa.Integer(), nullable=False),
        sa.Column("counted", sa.Integer(), nullable=False),
        sa.Column("evidence", sa.String(length=400), nullable=False),
        sa.Column("missed_sessions", sa.JSON(), nullable=False),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_student_signal_institution_id_institution"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["school.id"],
            name=op.f("fk_student_signal_school_id_school"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["person.id"],
            name=op.f("fk_student_signal_student_id_person"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_student_signal")),
        sa.UniqueConstraint(
            "student_id", "indicator", name=op.f("uq_student_signal_student_id_indicator")
        ),
    )
    with op.batch_alter_table("student_signal", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_student_signal_institution_id"), ["institution_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_student_signal_student_id"), ["student_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("student_signal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_student_signal_student_id"))
        batch_op.drop_index(batch_op.f("ix_student_signal_institution_id"))

    op.drop_table("student_signal")
    with op.batch_alter_table("attendance_session", schema=None) as batch_op:
        batch_op.drop_column("cancel_reason")
        batch_op.drop_column("cancelled_at")

    with op.batch_alter_table("rotation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rotation_school_id"))
        batch_op.drop_index(batch_op.f("ix_rotation_institution_id"))

    op.drop_table("rotation")
    with op.batch_alter_table("calendar_day", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calendar_day_school_id"))
        batch_op.drop_index(batch_op.f("ix_calendar_day_institution_id"))
        batch_op.drop_index(batch_op.f("ix_calendar_day_day"))

    op.drop_table("calendar_day")
    with op.batch_alter_table("bell_schedule", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bell_schedule_school_id"))
        batch_op.drop_index(batch_op.f("ix_bell_schedule_institution_id"))

    op.drop_table("bell_schedule")
