"""The communication slice's tables, with its aggregates mapped onto them imperatively.

Conversations (with their participants), messages (with their earlier versions) and
announcements are one class each; the other tables are records without behaviour (settings,
blocks, quiet hours, reports, exports, held notifications, receipts) written by Core statements.
"""

from __future__ import annotations

import enum
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import attribute_keyed_dict, composite, relationship

from edtech.communication.domain import (
    Announcement,
    Attachment,
    Audience,
    AudienceKind,
    Context,
    ContextKind,
    Conversation,
    ConversationKind,
    Message,
    MessageKind,
    MessageVersion,
    Participant,
    Priority,
)
from edtech.kernel.principal import Role
from edtech.platform.db.metadata import mapper_registry, metadata
from edtech.platform.db.types import UTCDateTime, id_column, institution_column


def _enum(cls: type[enum.StrEnum], length: int) -> sa.Enum:
    """A string column holding the enum's values (no native type, no CHECK: the same VARCHAR)."""
    return sa.Enum(
        cls,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda e: [m.value for m in e],
    )


class AttachmentList(sa.types.TypeDecorator[tuple[Attachment, ...]]):
    """The files a message or an announcement carries, as it shows them: a JSON list (a value
    fixed at posting, read whole; the files slice owns the files themselves). NULL is none."""

    impl = sa.JSON
    cache_ok = True

    def process_bind_param(
        self, value: tuple[Attachment, ...] | None, dialect: sa.Dialect
    ) -> list[dict[str, Any]] | None:
        if not value:
            return None
        return [
            {
                "file_id": str(a.file_id),
                "filename": a.filename,
                "content_type": a.content_type,
                "size_bytes": a.size_bytes,
            }
            for a in value
        ]

    def process_result_value(
        self, value: list[dict[str, Any]] | None, dialect: sa.Dialect
    ) -> tuple[Attachment, ...]:
        return attachments_of(value)


def attachments_of(
    value: list[dict[str, Any]] | tuple[Attachment, ...] | None,
) -> tuple[Attachment, ...]:
    """Attachments from the column's JSON (or as they are, when already read)."""
    if not value:
        return ()
    return tuple(
        a
        if isinstance(a, Attachment)
        else Attachment(uuid.UUID(a["file_id"]), a["filename"], a["content_type"], a["size_bytes"])
        for a in value
    )


def _conversation_fk() -> sa.Column[Any]:
    return sa.Column(
        "conversation_id",
        sa.Uuid(),
        sa.ForeignKey("conversation.id", ondelete="RESTRICT"),
        nullable=False,
        index=True,
    )


messaging_settings = sa.Table(
    "messaging_settings",
    metadata,
    sa.Column(
        "institution_id",
        sa.Uuid(),
        sa.ForeignKey("institution.id", ondelete="RESTRICT"),
        primary_key=True,
    ),
    sa.Column("students_may_message_students", sa.Boolean(), nullable=False),
    sa.Column("teachers_may_message_students", sa.Boolean(), nullable=False),
    sa.Column("guardians_may_message_admins", sa.Boolean(), nullable=False),
    sa.Column("office_staff_may_message_guardians", sa.Boolean(), nullable=False),
    sa.Column("staff_may_message_staff", sa.Boolean(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
)
"""An institution's choices in the messaging policy (defaults when absent)."""

conversation = sa.Table(
    "conversation",
    metadata,
    id_column(),
    institution_column(),
    sa.Column("kind", _enum(ConversationKind, 16), nullable=False),
    sa.Column("context_kind", _enum(ContextKind, 16), nullable=True),
    sa.Column("context_id", sa.Uuid(), nullable=True),
    sa.Column("title", sa.String(200), nullable=True),
    sa.Column("created_by", sa.Uuid(), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("last_seq", sa.Integer(), nullable=False),
    sa.Column("last_message_at", UTCDateTime(), nullable=True),
    sa.Column("direct_key", sa.String(160), nullable=True),
    sa.UniqueConstraint("institution_id", "direct_key"),
)

conversation_participant = sa.Table(
    "conversation_participant",
    metadata,
    sa.Column(
        "conversation_id",
        sa.Uuid(),
        sa.ForeignKey("conversation.id", ondelete="RESTRICT"),
        primary_key=True,
    ),
    sa.Column("person_id", sa.Uuid(), primary_key=True),
    institution_column(),
    sa.Column("joined_at", UTCDateTime(), nullable=False),
    sa.Column("read_seq", sa.Integer(), nullable=False),
    sa.Column("read_at", UTCDateTime(), nullable=True),
    sa.Column("shown_read_seq", sa.Integer(), nullable=False),
    sa.Column("read_hidden_until", UTCDateTime(), nullable=True),
    sa.Index("ix_conversation_participant_person_id", "person_id"),
)

message = sa.Table(
    "message",
    metadata,
    id_column(),
    institution_column(),
    _conversation_fk(),
    sa.Column("seq", sa.Integer(), nullable=False),
    sa.Column("sender_id", sa.Uuid(), nullable=False),
    sa.Column("client_id", sa.String(64), nullable=False),
    sa.Column("kind", _enum(MessageKind, 16), nullable=False),
    sa.Column("body", sa.Text(), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("edited_at", UTCDateTime(), nullable=True),
    sa.Column("retracted_at", UTCDateTime(), nullable=True),
    sa.Column("attachments", AttachmentList(), nullable=True),
    sa.UniqueConstraint("conversation_id", "seq"),
    sa.UniqueConstraint("conversation_id", "sender_id", "client_id"),
)
"""Messages are never deleted; a retracted one keeps its body for the audited export."""

message_version = sa.Table(
    "message_version",
    metadata,
    sa.Column(
        "message_id", sa.Uuid(), sa.ForeignKey("message.id", ondelete="RESTRICT"), primary_key=True
    ),
    sa.Column("version", sa.Integer(), primary_key=True),
    institution_column(),
    sa.Column("body", sa.Text(), nullable=False),
    sa.Column("written_at", UTCDateTime(), nullable=False),
)
"""The bodies a message had before each edit."""

message_delivery = sa.Table(
    "message_delivery",
    metadata,
    sa.Column(
        "message_id", sa.Uuid(), sa.ForeignKey("message.id", ondelete="RESTRICT"), primary_key=True
    ),
    sa.Column("person_id", sa.Uuid(), primary_key=True),
    institution_column(),
    sa.Column("delivered_at", UTCDateTime(), nullable=False),
)
"""Delivery receipts: the first time a message reached a connection of a participant (one row
per message and person, whichever node saw it first)."""

message_report = sa.Table(
    "message_report",
    metadata,
    id_column(),
    institution_column(),
    sa.Column(
        "message_id", sa.Uuid(), sa.ForeignKey("message.id", ondelete="RESTRICT"), nullable=False
    ),
    sa.Column("conversation_id", sa.Uuid(), nullable=False),
    sa.Column("reporter_id", sa.Uuid(), nullable=False),
    sa.Column("reason", sa.Text(), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.UniqueConstraint("message_id", "reporter_id"),
)

person_block = sa.Table(
    "person_block",
    metadata,
    sa.Column("blocker_id", sa.Uuid(), primary_key=True),
    sa.Column("blocked_id", sa.Uuid(), primary_key=True),
    institution_column(),
    sa.Column("created_at", UTCDateTime(), nullable=False),
)

conversation_export = sa.Table(
    "conversation_export",
    metadata,
    id_column(),
    institution_column(),
    _conversation_fk(),
    sa.Column("actor_id", sa.Uuid(), nullable=False),
    sa.Column("reason", sa.Text(), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
)
"""The audit trail of admin exports: who, when, why."""

quiet_hours = sa.Table(
    "quiet_hours",
    metadata,
    sa.Column("person_id", sa.Uuid(), primary_key=True),
    institution_column(),
    sa.Column("starts_at", sa.Time(), nullable=False),
    sa.Column("ends_at", sa.Time(), nullable=False),
    sa.Column("weekdays", sa.JSON(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
)

held_notification = sa.Table(
    "held_notification",
    metadata,
    id_column(),
    institution_column(),
    sa.Column("person_id", sa.Uuid(), nullable=False),
    _conversation_fk(),
    sa.Column("message_id", sa.Uuid(), nullable=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("release_at", UTCDateTime(), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("released_at", UTCDateTime(), nullable=True),
    sa.Index("ix_held_notification_release_at", "release_at"),
)
"""Inbox notifications and read receipts held while a staff member is in quiet hours."""

announcement = sa.Table(
    "announcement",
    metadata,
    id_column(),
    institution_column(),
    sa.Column("sender_id", sa.Uuid(), nullable=False),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("body", sa.Text(), nullable=False),
    sa.Column("priority", _enum(Priority, 16), nullable=False),
    sa.Column("audience_kind", _enum(AudienceKind, 32), nullable=False),
    sa.Column("audience_school_id", sa.Uuid(), nullable=True),
    sa.Column("audience_section_id", sa.Uuid(), nullable=True),
    sa.Column("audience_role", _enum(Role, 32), nullable=True),
    sa.Column("requires_ack", sa.Boolean(), nullable=False),
    sa.Column("publish_at", UTCDateTime(), nullable=False),
    sa.Column("published_at", UTCDateTime(), nullable=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("attachments", AttachmentList(), nullable=True),
    sa.Index("ix_announcement_publish_at", "publish_at"),
)

announcement_recipient = sa.Table(
    "announcement_recipient",
    metadata,
    sa.Column(
        "announcement_id",
        sa.Uuid(),
        sa.ForeignKey("announcement.id", ondelete="RESTRICT"),
        primary_key=True,
    ),
    sa.Column("person_id", sa.Uuid(), primary_key=True),
    institution_column(inherited=True),
    sa.Column("acknowledged_at", UTCDateTime(), nullable=True),
    sa.Index("ix_announcement_recipient_person_id", "person_id"),
)
"""Who an announcement was published to (fixed at publication) and who acknowledged it."""


def _same_institution(parent: Any, child: Any, _initiator: object) -> None:
    """Participant and version rows name their institution: their aggregate's."""
    child.institution_id = parent.institution_id


def _conversation_columns(_mapper: object, _connection: object, conv: Any) -> None:
    """The context and the direct key are columns the domain does not hold as such."""
    conv._context_kind = conv.context.kind if conv.context else None
    conv._context_id = conv.context.id if conv.context else None
    conv._direct_key = conv.direct_key


def _conversation_loaded(conv: Any, _context: object) -> None:
    kind, context_id = conv._context_kind, conv._context_id
    conv.__dict__["context"] = None if kind is None else Context(kind, context_id)


mapper_registry.map_imperatively(Participant, conversation_participant)
mapper_registry.map_imperatively(
    Conversation,
    conversation,
    properties={
        "_context_kind": conversation.c.context_kind,
        "_context_id": conversation.c.context_id,
        "_direct_key": conversation.c.direct_key,
        "participants": relationship(
            Participant,
            collection_class=attribute_keyed_dict("person_id"),
            order_by=[conversation_participant.c.joined_at, conversation_participant.c.person_id],
            cascade="all",
            lazy="selectin",
        ),
    },
)
sa.event.listen(Conversation.participants, "append", _same_institution)
sa.event.listen(Conversation, "before_insert", _conversation_columns)
sa.event.listen(Conversation, "load", _conversation_loaded)

mapper_registry.map_imperatively(MessageVersion, message_version)
# The domain bumps `version` on an edit; the ORM adds `WHERE version = <loaded>` to every
# UPDATE (an edit or a retraction), so a concurrent change fails the flush (a 409).
mapper_registry.map_imperatively(
    Message,
    message,
    version_id_col=message.c.version,
    version_id_generator=False,
    properties={
        "earlier": relationship(
            MessageVersion, order_by=message_version.c.version, cascade="all", lazy="selectin"
        )
    },
)
sa.event.listen(Message.earlier, "append", _same_institution)

mapper_registry.map_imperatively(
    Announcement,
    announcement,
    properties={
        "audience": composite(
            Audience,
            announcement.c.audience_kind,
            announcement.c.audience_school_id,
            announcement.c.audience_section_id,
            announcement.c.audience_role,
        )
    },
)
