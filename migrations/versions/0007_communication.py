"""communication: tables of the communication slice.

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from edtech.platform.db.types import UTCDateTime

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _institution(table: str) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(
        "institution_id",
        sa.Uuid(),
        sa.ForeignKey(
            "institution.id", name=f"fk_{table}_institution_id_institution", ondelete="RESTRICT"
        ),
        nullable=False,
    )


def _conversation(table: str) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(
        "conversation_id",
        sa.Uuid(),
        sa.ForeignKey(
            "conversation.id", name=f"fk_{table}_conversation_id_conversation", ondelete="RESTRICT"
        ),
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "messaging_settings",
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column("students_may_message_students", sa.Boolean(), nullable=False),
        sa.Column("teachers_may_message_students", sa.Boolean(), nullable=False),
        sa.Column("guardians_may_message_admins", sa.Boolean(), nullable=False),
        sa.Column("office_staff_may_message_guardians", sa.Boolean(), nullable=False),
        sa.Column("staff_may_message_staff", sa.Boolean(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name="fk_messaging_settings_institution_id_institution",
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("institution_id", name="pk_messaging_settings"),
    )
    op.create_table(
        "conversation",
        sa.Column("id", sa.Uuid(), nullable=False),
        _institution("conversation"),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("context_kind", sa.String(16), nullable=True),
        sa.Column("context_id", sa.Uuid(), nullable=True),
        sa.Column("title", sa.String(200), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("last_message_at", UTCDateTime(), nullable=True),
        sa.Column("direct_key", sa.String(160), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_conversation"),
        sa.UniqueConstraint(
            "institution_id", "direct_key", name="uq_conversation_institution_id_direct_key"
        ),
    )
    op.create_index("ix_conversation_institution_id", "conversation", ["institution_id"])
    op.create_table(
        "conversation_participant",
        sa.Column("conversation_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        _institution("conversation_participant"),
        sa.Column("joined_at", UTCDateTime(), nullable=False),
        sa.Column("read_seq", sa.Integer(), nullable=False),
        sa.Column("read_at", UTCDateTime(), nullable=True),
        sa.Column("shown_read_seq", sa.Integer(), nullable=False),
        sa.Column("read_hidden_until", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.id"],
            name="fk_conversation_participant_conversation_id_conversation",
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("conversation_id", "person_id", name="pk_conversation_participant"),
    )
    op.create_index(
        "ix_conversation_participant_institution_id", "conversation_participant", ["institution_id"]
    )
    op.create_index(
        "ix_conversation_participant_person_id", "conversation_participant", ["person_id"]
    )
    op.create_table(
        "message",
        sa.Column("id", sa.Uuid(), nullable=False),
        _institution("message"),
        _conversation("message"),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("edited_at", UTCDateTime(), nullable=True),
        sa.Column("retracted_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_message"),
        sa.UniqueConstraint("conversation_id", "seq", name="uq_message_conversation_id_seq"),
        sa.UniqueConstraint(
            "conversation_id",
            "sender_id",
            "client_id",
            name="uq_message_conversation_id_sender_id_client_id",
        ),
    )
    op.create_index("ix_message_institution_id", "message", ["institution_id"])
    op.create_index("ix_message_conversation_id", "message", ["conversation_id"])
    op.create_table(
        "message_version",
        sa.Column("message_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _institution("message_version"),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("written_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["message.id"],
            name="fk_message_version_message_id_message",
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("message_id", "version", name="pk_message_version"),
    )
    op.create_index("ix_message_version_institution_id", "message_version", ["institution_id"])
    op.create_table(
        "message_report",
        sa.Column("id", sa.Uuid(), nullable=False),
        _institution("message_report"),
        sa.Column("message_id", sa.Uuid(), nullable=False),
        sa.Column("conversation_id", sa.Uuid(), nullable=False),
        sa.Column("reporter_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["message.id"],
            name="fk_message_report_message_id_message",
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_message_report"),
        sa.UniqueConstraint(
            "message_id", "reporter_id", name="uq_message_report_message_id_reporter_id"
        ),
    )
    op.create_index("ix_message_report_institution_id", "message_report", ["institution_id"])
    op.create_table(
        "person_block",
        sa.Column("blocker_id", sa.Uuid(), nullable=False),
        sa.Column("blocked_id", sa.Uuid(), nullable=False),
        _institution("person_block"),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("blocker_id", "blocked_id", name="pk_person_block"),
    )
    op.create_index("ix_person_block_institution_id", "person_block", ["institution_id"])
    op.create_table(
        "conversation_export",
        sa.Column("id", sa.Uuid(), nullable=False),
        _institution("conversation_export"),
        _conversation("conversation_export"),
        sa.Column("actor_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_conversation_export"),
    )
    op.create_index(
        "ix_conversation_export_institution_id", "conversation_export", ["institution_id"]
    )
    op.create_index(
        "ix_conversation_export_conversation_id", "conversation_export", ["conversation_id"]
    )
    op.create_table(
        "quiet_hours",
        sa.Column("person_id", sa.Uuid(), nullable=False),
        _institution("quiet_hours"),
        sa.Column("starts_at", sa.Time(), nullable=False),
        sa.Column("ends_at", sa.Time(), nullable=False),
        sa.Column("weekdays", sa.JSON(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("person_id", name="pk_quiet_hours"),
    )
    op.create_index("ix_quiet_hours_institution_id", "quiet_hours", ["institution_id"])
    op.create_table(
        "held_notification",
        sa.Column("id", sa.Uuid(), nullable=False),
        _institution("held_notification"),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        _conversation("held_notification"),
        sa.Column("message_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("release_at", UTCDateTime(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("released_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_held_notification"),
    )
    op.create_index("ix_held_notification_institution_id", "held_notification", ["institution_id"])
    op.create_index(
        "ix_held_notification_conversation_id", "held_notification", ["conversation_id"]
    )
    op.create_index("ix_held_notification_release_at", "held_notification", ["release_at"])
    op.create_table(
        "announcement",
        sa.Column("id", sa.Uuid(), nullable=False),
        _institution("announcement"),
        sa.Column("sender_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("priority", sa.String(16), nullable=False),
        sa.Column("audience_kind", sa.String(32), nullable=False),
        sa.Column("audience_school_id", sa.Uuid(), nullable=True),
        sa.Column("audience_section_id", sa.Uuid(), nullable=True),
        sa.Column("audience_role", sa.String(32), nullable=True),
        sa.Column("requires_ack", sa.Boolean(), nullable=False),
        sa.Column("publish_at", UTCDateTime(), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_announcement"),
    )
    op.create_index("ix_announcement_institution_id", "announcement", ["institution_id"])
    op.create_index("ix_announcement_publish_at", "announcement", ["publish_at"])
    op.create_table(
        "announcement_recipient",
        sa.Column("announcement_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        _institution("announcement_recipient"),
        sa.Column("acknowledged_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["announcement_id"],
            ["announcement.id"],
            name="fk_announcement_recipient_announcement_id_announcement",
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("announcement_id", "person_id", name="pk_announcement_recipient"),
    )
    op.create_index(
        "ix_announcement_recipient_institution_id", "announcement_recipient", ["institution_id"]
    )
    op.create_index("ix_announcement_recipient_person_id", "announcement_recipient", ["person_id"])


TABLES = (
    "announcement_recipient",
    "announcement",
    "held_notification",
    "quiet_hours",
    "conversation_export",
    "person_block",
    "message_report",
    "message_version",
    "message",
    "conversation_participant",
    "conversation",
    "messaging_settings",
)


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table)
