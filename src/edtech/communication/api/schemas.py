"""Pydantic schemas of the communication API (`…In` from clients, `…Out` to them)."""

from __future__ import annotations

import uuid
from datetime import datetime, time
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from edtech.communication.domain import (
    MAX_ATTACHMENTS,
    Attachment,
    AudienceKind,
    ContextKind,
    ConversationKind,
    Priority,
    attachment_view,
)
from edtech.kernel.principal import Role
from edtech.platform.http.pagination import Page
from edtech.platform.http.types import BoundedDatetime


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ContextIn(_In):
    kind: ContextKind
    id: uuid.UUID


class ContextOut(BaseModel):
    kind: ContextKind
    id: uuid.UUID


class ConversationIn(_In):
    kind: ConversationKind = ConversationKind.DIRECT
    participant_ids: list[uuid.UUID] = Field(
        min_length=1, max_length=499, description="Everyone but you."
    )
    context: ContextIn | None = Field(None, description="The student or section it is about.")
    title: str | None = Field(None, max_length=200)


class ParticipantOut(BaseModel):
    person_id: uuid.UUID
    display_name: str | None
    read_seq: int = Field(description="How far they have read, as you may see it now.")


class ConversationOut(BaseModel):
    id: uuid.UUID
    kind: ConversationKind
    context: ContextOut | None
    title: str | None
    created_by: uuid.UUID
    created_at: datetime
    last_seq: int
    last_message_at: datetime | None
    read_seq: int = Field(description="Your own read cursor.")
    unread: int
    participants: list[ParticipantOut]


class ConversationPage(Page[ConversationOut]):
    unread_total: int = Field(description="Unread messages over all your conversations.")


ATTACHMENT_IDS: Any = Field(
    default_factory=list,
    max_length=MAX_ATTACHMENTS,
    description=(
        f"Up to {MAX_ATTACHMENTS} files you uploaded with `POST /api/v1/files/attachments` "
        "(or a confirmed direct upload) and that nothing carries yet."
    ),
)


class AttachmentOut(BaseModel):
    """A file the message or announcement carries. Both paths check access again: whoever may
    read what carries it (not after a retraction)."""

    file_id: uuid.UUID
    filename: str
    content_type: str = Field(description="Judged from the bytes when it was uploaded.")
    size_bytes: int
    download: str = Field(description="Path of the download route.")
    thumbnail: str | None = Field(
        description="Images: path of the thumbnail (404 until it is rendered, moments after "
        "the upload, or if the image could not be read)."
    )


def attachments_out(attachments: tuple[Attachment, ...]) -> list[AttachmentOut]:
    return [AttachmentOut.model_validate(attachment_view(a)) for a in attachments]


class MessageIn(_In):
    client_id: str = Field(
        min_length=1, max_length=64, description="Your id for this message: retries reuse it."
    )
    body: str
    attachment_ids: list[uuid.UUID] = ATTACHMENT_IDS


class MessageEditIn(_In):
    body: str


class MessageOut(BaseModel):
    id: uuid.UUID
    conversation_id: uuid.UUID
    seq: int
    sender_id: uuid.UUID
    client_id: str
    kind: str
    body: str | None = Field(description="Null once retracted (a tombstone).")
    version: int
    created_at: datetime
    edited_at: datetime | None
    retracted_at: datetime | None
    retracted: bool
    attachments: list[AttachmentOut] = Field(
        default_factory=list, description="The files it carries (none once retracted)."
    )
    delivered_to: list[uuid.UUID] = Field(
        default_factory=list,
        description=(
            "Participants (never the sender) one of whose connections the message has reached, "
            "first reached first (filled in message history; empty in the replies to posting "
            "and editing). Someone who read it without a live connection shows in their "
            "`read_seq`, not here."
        ),
    )


class QuietNoticeOut(BaseModel):
    person_id: uuid.UUID
    display_name: str
    until: datetime


class PostedOut(MessageOut):
    replayed: bool = Field(description="True when this client id was already used.")
    notices: list[QuietNoticeOut] = Field(
        default_factory=list, description="Recipients in quiet hours, and when they return."
    )


class MessagesPage(BaseModel):
    items: list[MessageOut]
    next_before: int | None = Field(
        description="Pass as `before` for older messages; null when there are none."
    )


class VersionOut(BaseModel):
    version: int
    body: str
    written_at: datetime


class ReadIn(_In):
    up_to_seq: int = Field(ge=0, description="The number of the last message you have read.")


class ReadOut(BaseModel):
    read_seq: int
    last_seq: int
    receipt_held: bool = Field(description="True while your quiet hours hide the receipt.")


class ReasonIn(_In):
    reason: str = Field(max_length=1000)


class ReportOut(BaseModel):
    id: uuid.UUID


class ReportRowOut(BaseModel):
    id: uuid.UUID
    message_id: uuid.UUID
    conversation_id: uuid.UUID
    reporter_id: uuid.UUID
    reason: str
    created_at: datetime


class ExportOut(BaseModel):
    export_id: uuid.UUID
    conversation: dict[str, Any]
    messages: list[dict[str, Any]]


class ExportAuditOut(BaseModel):
    id: uuid.UUID
    conversation_id: uuid.UUID
    actor_id: uuid.UUID
    reason: str
    created_at: datetime


class BlockIn(_In):
    person_id: uuid.UUID


class BlockOut(BaseModel):
    person_id: uuid.UUID
    created_at: datetime


class QuietHoursIn(_In):
    starts_at: time
    ends_at: time
    weekdays: list[int] = Field(
        default_factory=lambda: list(range(7)),
        description="Days the window starts on: 0 = Monday … 6 = Sunday.",
    )


class QuietHoursOut(BaseModel):
    starts_at: time | None
    ends_at: time | None
    weekdays: list[int]
    timezone: str
    quiet_until: datetime | None = Field(description="Set while quiet hours are on now.")


class MessagingSettingsIO(BaseModel):
    model_config = ConfigDict(extra="forbid")

    students_may_message_students: bool = False
    teachers_may_message_students: bool = False
    guardians_may_message_admins: bool = False
    office_staff_may_message_guardians: bool = True
    staff_may_message_staff: bool = True


class AudienceIO(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: AudienceKind
    school_id: uuid.UUID | None = None
    section_id: uuid.UUID | None = None
    role: Role | None = None


class AnnouncementIn(_In):
    title: str = Field(max_length=200)
    body: str = Field(max_length=10_000)
    audience: AudienceIO
    priority: Priority = Priority.NORMAL
    requires_ack: bool = False
    publish_at: BoundedDatetime | None = Field(None, description="Later publication; now if null.")
    attachment_ids: list[uuid.UUID] = ATTACHMENT_IDS


class AnnouncementOut(BaseModel):
    id: uuid.UUID
    sender_id: uuid.UUID
    title: str
    body: str
    priority: Priority
    audience: AudienceIO
    requires_ack: bool
    publish_at: datetime
    published_at: datetime | None
    created_at: datetime
    attachments: list[AttachmentOut] = Field(default_factory=list)


class ReceivedAnnouncementOut(AnnouncementOut):
    acknowledged_at: datetime | None


class SentAnnouncementOut(AnnouncementOut):
    recipient_count: int
    acknowledged_count: int


class AcknowledgementOut(BaseModel):
    person_id: uuid.UUID
    display_name: str | None
    acknowledged_at: datetime | None


class AcknowledgementsOut(BaseModel):
    announcement_id: uuid.UUID
    total: int
    acknowledged: list[AcknowledgementOut]
    pending: list[AcknowledgementOut]
