"""Conversations: who is in them, what they are about, and each participant's read cursor."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from edtech.communication.domain.events import ConversationRead, ConversationStarted
from edtech.communication.domain.policy import Context
from edtech.kernel.errors import FieldProblem, InvalidError
from edtech.kernel.events import Aggregate

MAX_TITLE = 200
MAX_GROUP = 500


class ConversationKind(enum.StrEnum):
    DIRECT = "direct"
    GROUP = "group"


@dataclass(eq=False, kw_only=True)
class Participant:
    """One person in a conversation, with how far they have read.

    `read_seq` is the true cursor (it drives their own unread counts on every device). While
    the reader is in quiet hours the others keep seeing `shown_read_seq` until
    `read_hidden_until`.
    """

    person_id: uuid.UUID
    joined_at: datetime
    read_seq: int = 0
    read_at: datetime | None = None
    shown_read_seq: int = 0
    read_hidden_until: datetime | None = None

    def visible_read_seq(self, now: datetime) -> int:
        """The cursor the other participants may see now."""
        if self.read_hidden_until is not None and now < self.read_hidden_until:
            return self.shown_read_seq
        return self.read_seq


@dataclass(eq=False, kw_only=True)
class Conversation(Aggregate):
    """A direct (two people) or group conversation, optionally about a student or a section.

    Participants never leave silently: the list only grows. Messages are numbered 1, 2, 3…
    in the order the conversation received them (`last_seq` is the latest number).
    """

    id: uuid.UUID
    institution_id: uuid.UUID
    kind: ConversationKind
    context: Context | None
    title: str | None
    created_by: uuid.UUID
    created_at: datetime
    participants: dict[uuid.UUID, Participant] = field(default_factory=dict)
    last_seq: int = 0
    last_message_at: datetime | None = None

    @classmethod
    def start(
        cls,
        *,
        id: uuid.UUID,
        institution_id: uuid.UUID,
        kind: ConversationKind,
        context: Context | None,
        title: str | None,
        created_by: uuid.UUID,
        others: list[uuid.UUID],
        at: datetime,
    ) -> Conversation:
        """Start a conversation. A direct one has exactly one other person; a group at least one."""
        people = [created_by, *dict.fromkeys(p for p in others if p != created_by)]
        problems: list[FieldProblem] = []
        if len(people) < 2:
            problems.append(FieldProblem(("participant_ids",), "name at least one other person"))
        if kind is ConversationKind.DIRECT and len(people) > 2:
            problems.append(
                FieldProblem(("participant_ids",), "a direct conversation has one other person")
            )
        if len(people) > MAX_GROUP:
            problems.append(FieldProblem(("participant_ids",), f"at most {MAX_GROUP - 1} people"))
        title = (title or "").strip() or None
        if title is not None and len(title) > MAX_TITLE:
            problems.append(FieldProblem(("title",), f"at most {MAX_TITLE} characters"))
        if problems:
            raise InvalidError("invalid conversation", problems)
        conversation = cls(
            id=id,
            institution_id=institution_id,
            kind=kind,
            context=context,
            title=title,
            created_by=created_by,
            created_at=at,
            participants={p: Participant(person_id=p, joined_at=at) for p in people},
        )
        conversation.record(
            ConversationStarted(
                institution_id=institution_id,
                occurred_at=at,
                conversation_id=id,
                kind=kind.value,
                started_by=created_by,
                participant_ids=tuple(people),
            )
        )
        return conversation

    @property
    def direct_key(self) -> str | None:
        """Same two people, same context: one direct conversation (starting it again finds it)."""
        if self.kind is not ConversationKind.DIRECT:
            return None
        return direct_key(list(self.participants), self.context)

    def is_participant(self, person_id: uuid.UUID) -> bool:
        return person_id in self.participants

    def others(self, person_id: uuid.UUID) -> list[uuid.UUID]:
        return [p for p in self.participants if p != person_id]

    def take_seq(self, at: datetime) -> int:
        """Number the next message (the repository makes this atomic across nodes)."""
        self.last_seq += 1
        self.last_message_at = at
        return self.last_seq

    def read(
        self, person_id: uuid.UUID, up_to: int, at: datetime, hidden_until: datetime | None
    ) -> bool:
        """Move `person_id`'s cursor forward to `up_to` (never back, never past the last message).

        Returns whether it moved. Others are told at once, or — while the reader is in quiet
        hours (`hidden_until`) — only when quiet hours end.
        """
        participant = self.participants[person_id]
        target = min(max(up_to, 0), self.last_seq)
        if target <= participant.read_seq:
            return False
        now_visible = participant.visible_read_seq(at)
        participant.read_seq = target
        participant.read_at = at
        if hidden_until is not None and at < hidden_until:
            participant.shown_read_seq = now_visible
            participant.read_hidden_until = hidden_until
            return True
        participant.shown_read_seq = target
        participant.read_hidden_until = None
        self.record(
            ConversationRead(
                institution_id=self.institution_id,
                occurred_at=at,
                conversation_id=self.id,
                person_id=person_id,
                read_seq=target,
            )
        )
        return True

    def show_held_read(self, person_id: uuid.UUID, at: datetime) -> bool:
        """The reader's quiet hours ended: the others now see how far they read. A newer quiet
        period that still hides it keeps it hidden (its own release shows it). Returns whether
        the others are told."""
        participant = self.participants.get(person_id)
        if participant is None:
            return False
        if participant.read_hidden_until is not None and participant.read_hidden_until > at:
            return False
        participant.shown_read_seq, participant.read_hidden_until = participant.read_seq, None
        self.record(
            ConversationRead(
                institution_id=self.institution_id,
                occurred_at=at,
                conversation_id=self.id,
                person_id=person_id,
                read_seq=participant.read_seq,
            )
        )
        return True


def direct_key(people: list[uuid.UUID], context: Context | None) -> str:
    ids = ":".join(sorted(str(p) for p in people))
    about = f"{context.kind.value}:{context.id}" if context is not None else "-"
    return f"{ids}|{about}"
