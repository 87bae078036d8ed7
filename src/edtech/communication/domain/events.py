"""Events the communication slice raises; their `type` strings are part of the channel contract."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from edtech.communication.domain.attachments import Attachment
from edtech.kernel.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class ConversationStarted(DomainEvent):
    type: ClassVar[str] = "chat.conversation_started"
    conversation_id: uuid.UUID
    kind: str
    started_by: uuid.UUID
    participant_ids: tuple[uuid.UUID, ...]


@dataclass(frozen=True, kw_only=True)
class MessagePosted(DomainEvent):
    """A message reached its conversation.

    `notify_ids` are the participants told right away on their inbox; participants in quiet
    hours are left out (their notification is held until quiet hours end).
    """

    type: ClassVar[str] = "chat.message_posted"
    conversation_id: uuid.UUID
    message_id: uuid.UUID
    seq: int
    sender_id: uuid.UUID
    client_id: str
    kind: str
    body: str
    created_at: datetime
    notify_ids: tuple[uuid.UUID, ...] = ()
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True, kw_only=True)
class MessageEdited(DomainEvent):
    type: ClassVar[str] = "chat.message_edited"
    conversation_id: uuid.UUID
    message_id: uuid.UUID
    seq: int
    body: str
    version: int
    edited_at: datetime


@dataclass(frozen=True, kw_only=True)
class MessageRetracted(DomainEvent):
    type: ClassVar[str] = "chat.message_retracted"
    conversation_id: uuid.UUID
    message_id: uuid.UUID
    seq: int
    retracted_at: datetime


@dataclass(frozen=True, kw_only=True)
class ConversationRead(DomainEvent):
    """A participant's read cursor moved (shown to the others; held in the reader's quiet hours)."""

    type: ClassVar[str] = "chat.read"
    conversation_id: uuid.UUID
    person_id: uuid.UUID
    read_seq: int


@dataclass(frozen=True, kw_only=True)
class MessageDelivered(DomainEvent):
    """A message reached one of `person_id`'s connections for the first time (shown to the
    other participants as a delivery receipt)."""

    type: ClassVar[str] = "chat.delivered"
    conversation_id: uuid.UUID
    message_id: uuid.UUID
    seq: int
    person_id: uuid.UUID
    delivered_at: datetime


@dataclass(frozen=True, kw_only=True)
class NotificationsReleased(DomainEvent):
    """Quiet hours ended: the messages held for `person_id` are announced on their inbox."""

    type: ClassVar[str] = "chat.notifications_released"
    person_id: uuid.UUID
    conversation_ids: tuple[uuid.UUID, ...]
    message_ids: tuple[uuid.UUID, ...]


@dataclass(frozen=True, kw_only=True)
class AnnouncementPublished(DomainEvent):
    type: ClassVar[str] = "announcement.published"
    announcement_id: uuid.UUID
    sender_id: uuid.UUID
    title: str
    body: str
    priority: str
    requires_ack: bool
    published_at: datetime
    recipient_ids: tuple[uuid.UUID, ...]
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True, kw_only=True)
class AnnouncementAcknowledged(DomainEvent):
    type: ClassVar[str] = "announcement.acknowledged"
    announcement_id: uuid.UUID
    sender_id: uuid.UUID
    person_id: uuid.UUID
    acknowledged_at: datetime


@dataclass(frozen=True, kw_only=True)
class MessageReported(DomainEvent):
    type: ClassVar[str] = "chat.message_reported"
    report_id: uuid.UUID
    conversation_id: uuid.UUID
    message_id: uuid.UUID
    reporter_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class ConversationExported(DomainEvent):
    """An admin exported a conversation; the reason is kept in the audit trail."""

    type: ClassVar[str] = "chat.conversation_exported"
    conversation_id: uuid.UUID
    actor_id: uuid.UUID
    reason: str
