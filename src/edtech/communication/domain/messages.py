"""Messages: idempotent by client id, edited with versions kept, retracted to a tombstone."""

from __future__ import annotations

import enum
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from edtech.communication.domain.attachments import Attachment
from edtech.communication.domain.events import MessageEdited, MessagePosted, MessageRetracted
from edtech.kernel.errors import ConflictError, FieldProblem, ForbiddenError, InvalidError
from edtech.kernel.events import Aggregate

MAX_BODY = 4000
"""Characters in one message body."""
MAX_CLIENT_ID = 64
_CLIENT_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,64}$")


class MessageKind(enum.StrEnum):
    TEXT = "text"
    NOTICE = "notice"
    """Written by the system for a participant (the quiet-hours note)."""


def clean_body(body: str, loc: tuple[str | int, ...] = ("body",)) -> str:
    """A body is 1 to `MAX_BODY` characters once surrounding blanks are trimmed."""
    text = body.strip()
    if not text:
        raise InvalidError("the message is empty", [FieldProblem(loc, "must not be empty")])
    if len(text) > MAX_BODY:
        raise InvalidError(
            f"the message is longer than {MAX_BODY} characters",
            [FieldProblem(loc, f"at most {MAX_BODY} characters (got {len(text)})", "too_long")],
        )
    return text


def check_client_id(client_id: str, loc: tuple[str | int, ...] = ("client_id",)) -> str:
    """A client id is 1–64 characters of letters, digits and `._:-` (a UUID fits)."""
    if not _CLIENT_ID.fullmatch(client_id):
        raise InvalidError(
            "invalid client id",
            [FieldProblem(loc, f"1 to {MAX_CLIENT_ID} characters of letters, digits and ._:-")],
        )
    return client_id


@dataclass(eq=False)
class MessageVersion:
    """A body the message had before an edit."""

    version: int
    body: str
    written_at: datetime


@dataclass(eq=False, kw_only=True)
class Message(Aggregate):
    """One message. Nothing is ever deleted: edits keep the earlier bodies, a retraction leaves a
    tombstone (others no longer see the body; an admin export still does)."""

    id: uuid.UUID
    institution_id: uuid.UUID
    conversation_id: uuid.UUID
    seq: int
    sender_id: uuid.UUID
    client_id: str
    kind: MessageKind
    body: str
    version: int = 1
    created_at: datetime
    edited_at: datetime | None = None
    retracted_at: datetime | None = None
    earlier: list[MessageVersion] = field(default_factory=list)
    attachments: tuple[Attachment, ...] = ()

    @classmethod
    def post(
        cls,
        *,
        id: uuid.UUID,
        institution_id: uuid.UUID,
        conversation_id: uuid.UUID,
        seq: int,
        sender_id: uuid.UUID,
        client_id: str,
        body: str,
        at: datetime,
        kind: MessageKind = MessageKind.TEXT,
        notify_ids: tuple[uuid.UUID, ...] = (),
        attachments: tuple[Attachment, ...] = (),
    ) -> Message:
        message = cls(
            id=id,
            institution_id=institution_id,
            conversation_id=conversation_id,
            seq=seq,
            sender_id=sender_id,
            client_id=check_client_id(client_id),
            kind=kind,
            body=clean_body(body),
            created_at=at,
            attachments=attachments,
        )
        message.record(
            MessagePosted(
                institution_id=institution_id,
                occurred_at=at,
                conversation_id=conversation_id,
                message_id=id,
                seq=seq,
                sender_id=sender_id,
                client_id=client_id,
                kind=kind.value,
                body=message.body,
                created_at=at,
                notify_ids=notify_ids,
                attachments=attachments,
            )
        )
        return message

    @property
    def is_retracted(self) -> bool:
        return self.retracted_at is not None

    def edit(self, by: uuid.UUID, body: str, at: datetime) -> bool:
        """Only the sender edits, and not after retracting; the previous body is kept."""
        self._own(by, "edit")
        if self.is_retracted:
            raise ConflictError("a retracted message cannot be edited", message_id=str(self.id))
        text = clean_body(body)
        if text == self.body:
            return False
        written = self.edited_at or self.created_at
        self.earlier.append(MessageVersion(self.version, self.body, written))
        self.version += 1
        self.body = text
        self.edited_at = at
        self.record(
            MessageEdited(
                institution_id=self.institution_id,
                occurred_at=at,
                conversation_id=self.conversation_id,
                message_id=self.id,
                seq=self.seq,
                body=text,
                version=self.version,
                edited_at=at,
            )
        )
        return True

    def retract(self, by: uuid.UUID, at: datetime) -> bool:
        """Only the sender retracts; retracting twice changes nothing. The body and the
        attached files are gone for participants (the files can no longer be downloaded)."""
        self._own(by, "retract")
        if self.is_retracted:
            return False
        self.retracted_at = at
        self.record(
            MessageRetracted(
                institution_id=self.institution_id,
                occurred_at=at,
                conversation_id=self.conversation_id,
                message_id=self.id,
                seq=self.seq,
                retracted_at=at,
            )
        )
        return True

    def _own(self, by: uuid.UUID, action: str) -> None:
        if by != self.sender_id or self.kind is not MessageKind.TEXT:
            raise ForbiddenError(f"you can only {action} your own messages")
