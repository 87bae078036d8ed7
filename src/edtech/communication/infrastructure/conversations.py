"""Repositories for conversations and messages (Core statements, domain objects out)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.communication.domain import (
    Context,
    ContextKind,
    Conversation,
    ConversationKind,
    Message,
    MessageKind,
    MessageVersion,
    Participant,
)
from edtech.communication.infrastructure.tables import (
    conversation,
    conversation_participant,
    message,
    message_version,
)


def _participant(row: Any, prefix: str = "") -> Participant:
    """A participant from a row of `conversation_participant` (its columns maybe prefixed)."""
    return Participant(
        person_id=row[f"{prefix}person_id"],
        joined_at=row[f"{prefix}joined_at"],
        read_seq=row[f"{prefix}read_seq"],
        read_at=row[f"{prefix}read_at"],
        shown_read_seq=row[f"{prefix}shown_read_seq"],
        read_hidden_until=row[f"{prefix}read_hidden_until"],
    )


class SqlAlchemyConversations:
    """Conversations with their participants, in one institution."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(
        self, institution_id: uuid.UUID, conversation_id: uuid.UUID
    ) -> Conversation | None:
        """The conversation with its participants, in one round trip (every message loads it)."""
        p = conversation_participant
        rows = (
            await self.session.execute(
                sa.select(conversation, *[c.label(f"p_{c.name}") for c in p.c])
                .join(p, p.c.conversation_id == conversation.c.id)
                .where(
                    conversation.c.institution_id == institution_id,
                    conversation.c.id == conversation_id,
                )
                .order_by(p.c.joined_at, p.c.person_id)
            )
        ).all()
        if not rows:
            return None
        parts = [_participant(r._mapping, prefix="p_") for r in rows]
        return _conversation(rows[0]._mapping, parts)

    async def find_direct(self, institution_id: uuid.UUID, key: str) -> Conversation | None:
        row = (
            await self.session.execute(
                sa.select(conversation).where(
                    conversation.c.institution_id == institution_id,
                    conversation.c.direct_key == key,
                )
            )
        ).first()
        return None if row is None else await self._load(row._mapping)

    async def _load(self, row: Any) -> Conversation:
        parts = await self.session.execute(
            sa.select(conversation_participant)
            .where(conversation_participant.c.conversation_id == row["id"])
            .order_by(conversation_participant.c.joined_at, conversation_participant.c.person_id)
        )
        return _conversation(row, [_participant(p._mapping) for p in parts])

    async def add(self, conv: Conversation) -> None:
        await self.session.execute(
            sa.insert(conversation).values(
                id=conv.id,
                institution_id=conv.institution_id,
                kind=conv.kind.value,
                context_kind=conv.context.kind.value if conv.context else None,
                context_id=conv.context.id if conv.context else None,
                title=conv.title,
                created_by=conv.created_by,
                created_at=conv.created_at,
                last_seq=conv.last_seq,
                last_message_at=conv.last_message_at,
                direct_key=conv.direct_key,
            )
        )
        await self.session.execute(
            sa.insert(conversation_participant),
            [
                {
                    "conversation_id": conv.id,
                    "person_id": p.person_id,
                    "institution_id": conv.institution_id,
                    "joined_at": p.joined_at,
                    "read_seq": p.read_seq,
                    "read_at": p.read_at,
                    "shown_read_seq": p.shown_read_seq,
                    "read_hidden_until": p.read_hidden_until,
                }
                for p in conv.participants.values()
            ],
        )

    async def next_seq(self, conv: Conversation, at: datetime) -> int:
        """Take the next message number atomically: the row stays locked until commit, so
        concurrent senders on any node are numbered one after the other."""
        seq: int = (
            await self.session.execute(
                sa.update(conversation)
                .where(conversation.c.id == conv.id)
                .values(last_seq=conversation.c.last_seq + 1, last_message_at=at)
                .returning(conversation.c.last_seq)
            )
        ).scalar_one()
        conv.last_seq = seq
        conv.last_message_at = at
        return seq

    async def save_cursor(self, conv: Conversation, person_id: uuid.UUID) -> None:
        p = conv.participants[person_id]
        await self.session.execute(
            sa.update(conversation_participant)
            .where(
                conversation_participant.c.conversation_id == conv.id,
                conversation_participant.c.person_id == person_id,
                # never move a cursor back, even when two devices race
                conversation_participant.c.read_seq <= p.read_seq,
            )
            .values(
                read_seq=p.read_seq,
                read_at=p.read_at,
                shown_read_seq=p.shown_read_seq,
                read_hidden_until=p.read_hidden_until,
            )
        )


def _conversation(row: Any, parts: list[Participant]) -> Conversation:
    context = (
        Context(ContextKind(row["context_kind"]), row["context_id"])
        if row["context_kind"] is not None
        else None
    )
    return Conversation(
        id=row["id"],
        institution_id=row["institution_id"],
        kind=ConversationKind(row["kind"]),
        context=context,
        title=row["title"],
        created_by=row["created_by"],
        created_at=row["created_at"],
        last_seq=row["last_seq"],
        last_message_at=row["last_message_at"],
        participants={p.person_id: p for p in parts},
    )


class SqlAlchemyMessages:
    """Messages and their earlier versions."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_client_id(
        self, conversation_id: uuid.UUID, sender_id: uuid.UUID, client_id: str
    ) -> Message | None:
        return await self._one(
            message.c.conversation_id == conversation_id,
            message.c.sender_id == sender_id,
            message.c.client_id == client_id,
        )

    async def get(
        self, institution_id: uuid.UUID, conversation_id: uuid.UUID, message_id: uuid.UUID
    ) -> Message | None:
        return await self._one(
            message.c.institution_id == institution_id,
            message.c.conversation_id == conversation_id,
            message.c.id == message_id,
        )

    async def _one(self, *where: sa.ColumnElement[bool]) -> Message | None:
        row = (await self.session.execute(sa.select(message).where(*where))).first()
        if row is None:
            return None
        versions = await self.session.execute(
            sa.select(message_version)
            .where(message_version.c.message_id == row.id)
            .order_by(message_version.c.version)
        )
        return Message(
            id=row.id,
            institution_id=row.institution_id,
            conversation_id=row.conversation_id,
            seq=row.seq,
            sender_id=row.sender_id,
            client_id=row.client_id,
            kind=MessageKind(row.kind),
            body=row.body,
            version=row.version,
            created_at=row.created_at,
            edited_at=row.edited_at,
            retracted_at=row.retracted_at,
            earlier=[MessageVersion(v.version, v.body, v.written_at) for v in versions],
        )

    async def add(self, msg: Message) -> None:
        await self.session.execute(
            sa.insert(message).values(
                id=msg.id,
                institution_id=msg.institution_id,
                conversation_id=msg.conversation_id,
                seq=msg.seq,
                sender_id=msg.sender_id,
                client_id=msg.client_id,
                kind=msg.kind.value,
                body=msg.body,
                version=msg.version,
                created_at=msg.created_at,
                edited_at=msg.edited_at,
                retracted_at=msg.retracted_at,
            )
        )

    async def save(self, msg: Message, loaded_version: int, known_versions: int) -> bool:
        """Write an edit or retraction, adding the earlier versions not stored yet.

        Returns False when someone else changed the message since it was loaded.
        """
        result = await self.session.execute(
            sa.update(message)
            .where(message.c.id == msg.id, message.c.version == loaded_version)
            .values(
                body=msg.body,
                version=msg.version,
                edited_at=msg.edited_at,
                retracted_at=msg.retracted_at,
            )
        )
        if _rowcount(result) != 1:
            return False
        new = msg.earlier[known_versions:]
        if new:
            await self.session.execute(
                sa.insert(message_version),
                [
                    {
                        "message_id": msg.id,
                        "version": v.version,
                        "institution_id": msg.institution_id,
                        "body": v.body,
                        "written_at": v.written_at,
                    }
                    for v in new
                ],
            )
        return True


def _rowcount(result: Any) -> int:
    count: int = result.rowcount
    return count
