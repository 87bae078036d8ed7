"""Realtime channels of the communication slice and the routes of its events.

* `chat.conversation.{id}`: participants only (and only while the policy lets them write in
  it); durable; presence on (typing and presence are handled by the hub); takes `send`:
  ``{"op": "send", "channel": "chat.conversation.<id>", "id": "<client id>",
  "data": {"body": "…"}}`` stores the message once per client id; the reply carries its id,
  `seq` and channel `offset`.
* Each participant's `user.{id}` inbox (declared by the hub) gets new conversations, new
  messages (held while a staff member is in quiet hours, then `chat.notifications_released`),
  their own read cursors (unread counts on every device), announcements and acknowledgements.
* Delivery receipts: the hub tells `DeliveryReceipts` whenever it hands a `chat.message_posted`
  event (on the conversation or as an inbox notification) to someone's socket; the first time
  a message reaches a participant other than its sender, that is recorded and announced as
  `chat.delivered` on the conversation.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from edtech.communication.application import (
    DirectoryFactory,
    RecordDeliveries,
    post_message,
)
from edtech.communication.application.subscribe import may_follow
from edtech.communication.domain import (
    MAX_BODY,
    AnnouncementAcknowledged,
    AnnouncementPublished,
    ConversationRead,
    ConversationStarted,
    MessageDelivered,
    MessageEdited,
    MessagePosted,
    MessageRetracted,
    NotificationsReleased,
    Reached,
    attachment_view,
)
from edtech.communication.domain.attachments import Attachment
from edtech.communication.infrastructure import ProfileCache, RosterDirectory
from edtech.kernel.errors import ForbiddenError, NotFoundError
from edtech.kernel.events import to_jsonable
from edtech.kernel.principal import Principal
from edtech.realtime.public import (
    AuthorizationContext,
    ChannelType,
    Delivered,
    Delivery,
    DeliveryContext,
    Registrar,
    SendContext,
)
from edtech.realtime.public import inbox as user_inbox


class SendMessageData(BaseModel):
    body: str = Field(description=f"1 to {MAX_BODY} characters.")
    attachment_ids: list[uuid.UUID] = Field(
        default_factory=list,
        max_length=0,
        description="Always empty: files are attached over REST "
        "(`POST /api/v1/conversations/{id}/messages`), never silently dropped here.",
    )


class AttachmentData(BaseModel):
    """A file a message or an announcement carries. `download` and `thumbnail` are REST paths
    that check access again (a retraction ends it)."""

    file_id: uuid.UUID
    filename: str
    content_type: str
    size_bytes: int
    download: str
    thumbnail: str | None = Field(
        description="Images only: the thumbnail's path (404 until rendered, moments after upload)."
    )


class MessagePostedData(BaseModel):
    conversation_id: uuid.UUID
    message_id: uuid.UUID
    seq: int
    sender_id: uuid.UUID
    client_id: str
    kind: str
    body: str
    created_at: datetime
    attachments: list[AttachmentData] = Field(description="The files it carries, in order.")


class MessageEditedData(BaseModel):
    conversation_id: uuid.UUID
    message_id: uuid.UUID
    seq: int
    body: str
    version: int
    edited_at: datetime


class MessageRetractedData(BaseModel):
    """The message's body and files are gone for participants: its files can no longer be
    downloaded."""

    conversation_id: uuid.UUID
    message_id: uuid.UUID
    seq: int
    retracted_at: datetime


class DeliveredData(BaseModel):
    conversation_id: uuid.UUID
    message_id: uuid.UUID
    seq: int
    person_id: uuid.UUID = Field(description="The participant the message reached.")
    delivered_at: datetime


class ReadData(BaseModel):
    conversation_id: uuid.UUID
    person_id: uuid.UUID
    read_seq: int


class MessagePreviewData(BaseModel):
    """A new message, as announced on a participant's inbox: a preview, not the message."""

    conversation_id: uuid.UUID
    message_id: uuid.UUID
    seq: int
    sender_id: uuid.UUID
    preview: str = Field(description="The body's first 140 characters.")
    created_at: datetime
    attachment_count: int = Field(description="How many files the message carries.")


class ConversationStartedData(BaseModel):
    conversation_id: uuid.UUID
    kind: str
    started_by: uuid.UUID
    participant_ids: list[uuid.UUID]


class NotificationsReleasedData(BaseModel):
    """Quiet hours ended: the messages held meanwhile."""

    person_id: uuid.UUID
    conversation_ids: list[uuid.UUID]
    message_ids: list[uuid.UUID]


class AnnouncementPublishedData(BaseModel):
    announcement_id: uuid.UUID
    sender_id: uuid.UUID
    title: str
    body: str
    priority: str
    requires_ack: bool
    published_at: datetime
    attachments: list[AttachmentData] = Field(description="The files it carries, in order.")


class AnnouncementAcknowledgedData(BaseModel):
    announcement_id: uuid.UUID
    sender_id: uuid.UUID
    person_id: uuid.UUID
    acknowledged_at: datetime


async def participants_only(
    principal: Principal, params: Mapping[str, uuid.UUID], ctx: AuthorizationContext
) -> bool:
    """Participants whom the messaging policy still lets write in the conversation."""
    directory = RosterDirectory(ctx.session, ctx.clock)
    return await may_follow(ctx.session, directory, principal, params["id"])


class SendMessage:
    """The `send` handler: store a chat message once per client id; the reply carries the
    stored message. Roster profiles come from the node's `ProfileCache` (a few seconds old at
    most): a conversation's messages mostly come in bursts between the same people."""

    def __init__(self, profiles: ProfileCache) -> None:
        self.profiles = profiles

    async def __call__(self, ctx: SendContext, data: Any) -> Mapping[str, Any]:
        return await send_message(ctx, data, self.profiles.directory)


async def send_message(
    ctx: SendContext, data: Any, directory: DirectoryFactory = RosterDirectory
) -> Mapping[str, Any]:
    """Store a chat message once per client id; the reply carries the stored message."""
    assert isinstance(data, SendMessageData)
    bound = directory(ctx.uow.session, ctx.clock)
    try:
        posted = await post_message(
            ctx.uow, ctx.clock, bound, ctx.principal, ctx.params["id"], ctx.client_id, data.body
        )
    except NotFoundError as exc:
        raise ForbiddenError("you are not in this conversation") from exc
    if posted.replayed:  # give back the number it took: only the hub's receipt is committed
        await ctx.uow.rollback()
    msg = posted.message
    reply = {
        "message_id": msg.id,
        "conversation_id": msg.conversation_id,
        "seq": msg.seq,
        "created_at": msg.created_at,
        "replayed": posted.replayed,
        # `offset` is added by the hub (`send_offset`): where the message stands in the channel
        "notices": [
            {"person_id": n.person_id, "display_name": n.display_name, "until": n.until}
            for n in posted.notices
        ],
    }
    result: dict[str, Any] = to_jsonable(reply)
    return result


CONVERSATION = ChannelType(
    pattern="chat.conversation.{id}",
    authorize=participants_only,
    description=(
        "One conversation, live: messages, edits, retractions and read receipts. Only its "
        "participants may subscribe, while the messaging policy lets them write in it. "
        "Durable. Presence and typing on. `send` posts a message, idempotent by client id; "
        "the reply carries `message_id`, `seq`, `offset` (the message's offset in this channel; "
        "null when the client id was first used over REST), `created_at`, `replayed` and "
        "`notices` (recipients in quiet hours)."
    ),
    durable=True,
    history_size=200,
    presence=True,
    events={
        MessagePosted.type: MessagePostedData,
        MessageEdited.type: MessageEditedData,
        MessageRetracted.type: MessageRetractedData,
        MessageDelivered.type: DeliveredData,
        ConversationRead.type: ReadData,
    },
    send=send_message,
    send_model=SendMessageData,
    send_offset=True,
)


class DeliveryReceipts:
    """The hub's delivery observer for `chat.message_posted`: turns "this event went to that
    person's socket" into receipts (`RecordDeliveries`), one transaction per batch.

    Remembers the receipts this node recorded lately, so a message reaching a person's other
    devices, or reaching them again on recovery, costs no database round trip.
    """

    def __init__(self, remember: int = 50_000) -> None:
        self._recorded: OrderedDict[tuple[str, uuid.UUID], None] = OrderedDict()
        self._remember = remember

    async def __call__(self, batch: Sequence[Delivered], ctx: DeliveryContext) -> None:
        now = ctx.clock.now()
        reached: list[Reached] = []
        for d in batch:
            data = d.event.data
            person_id = d.principal.person_id
            if (data["message_id"], person_id) in self._recorded:
                continue
            reached.append(
                Reached(
                    institution_id=d.principal.institution_id,
                    conversation_id=uuid.UUID(data["conversation_id"]),
                    message_id=uuid.UUID(data["message_id"]),
                    seq=int(data["seq"]),
                    sender_id=uuid.UUID(data["sender_id"]),
                    person_id=person_id,
                    at=now,
                )
            )
        if not reached:
            return
        await RecordDeliveries(ctx.uow(), ctx.clock)(reached)
        for r in reached:
            self._recorded[(str(r.message_id), r.person_id)] = None
        while len(self._recorded) > self._remember:
            self._recorded.popitem(last=False)


def inbox(person_id: uuid.UUID) -> str:
    return user_inbox(person_id)


def _attachments(attachments: tuple[Attachment, ...]) -> list[Any]:
    views: list[Any] = to_jsonable([attachment_view(a) for a in attachments])
    return views


def _posted(e: MessagePosted) -> Iterable[str | Delivery]:
    data = {k: v for k, v in e.payload().items() if k != "notify_ids"}
    data["attachments"] = _attachments(e.attachments)
    yield Delivery(CONVERSATION.name(id=e.conversation_id), data)
    preview = {
        "conversation_id": str(e.conversation_id),
        "message_id": str(e.message_id),
        "seq": e.seq,
        "sender_id": str(e.sender_id),
        "preview": e.body[:140],
        "created_at": e.created_at.isoformat(),
        "attachment_count": len(e.attachments),
    }
    for person_id in e.notify_ids:
        yield Delivery(inbox(person_id), preview)


def _announced(e: AnnouncementPublished) -> Iterable[str | Delivery]:
    data = {k: v for k, v in e.payload().items() if k != "recipient_ids"}
    data["attachments"] = _attachments(e.attachments)
    for person_id in e.recipient_ids:
        yield Delivery(inbox(person_id), data)


def register(registry: Registrar) -> None:
    # one profile cache per node (per registry), not per module
    registry.add(replace(CONVERSATION, send=SendMessage(ProfileCache())))
    registry.route(MessagePosted, _posted)
    registry.route(MessageEdited, lambda e: [CONVERSATION.name(id=e.conversation_id)])
    registry.route(MessageRetracted, lambda e: [CONVERSATION.name(id=e.conversation_id)])
    registry.route(MessageDelivered, lambda e: [CONVERSATION.name(id=e.conversation_id)])
    registry.observe_deliveries(
        MessagePosted.type, DeliveryReceipts(), on=[CONVERSATION.pattern, "user.{id}"]
    )
    registry.route(
        ConversationRead,
        lambda e: [CONVERSATION.name(id=e.conversation_id), inbox(e.person_id)],
    )
    registry.route(ConversationStarted, lambda e: [inbox(p) for p in e.participant_ids])
    registry.route(NotificationsReleased, lambda e: [inbox(e.person_id)])
    registry.route(AnnouncementPublished, _announced)
    registry.route(AnnouncementAcknowledged, lambda e: [inbox(e.sender_id)])
    registry.describe(
        "user.{id}",
        {
            ConversationStarted.type: ConversationStartedData,
            MessagePosted.type: MessagePreviewData,
            ConversationRead.type: ReadData,
            NotificationsReleased.type: NotificationsReleasedData,
            AnnouncementPublished.type: AnnouncementPublishedData,
            AnnouncementAcknowledged.type: AnnouncementAcknowledgedData,
        },
    )
