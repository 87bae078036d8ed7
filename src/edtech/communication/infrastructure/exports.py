"""What communication hands other slices: the conversations a student is part of (or that are
about them) with every message and its versions, for their record package (Core reads)."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.communication.infrastructure.tables import (
    conversation,
    conversation_participant,
    message,
    message_version,
)
from edtech.kernel.events import to_jsonable


def _rows(result: Any) -> list[dict[str, Any]]:
    """Plain rows; a message's attachments as plain data (file id, name, type, size)."""
    rows = [dict(r._mapping) for r in result]
    for row in rows:
        if "attachments" in row:
            row["attachments"] = to_jsonable(row["attachments"])
    return rows


async def student_messages_record(
    session: AsyncSession, institution_id: uuid.UUID, student_id: uuid.UUID
) -> dict[str, list[dict[str, Any]]]:
    """Conversations the student takes part in or that are about them (a guardian and a
    teacher discussing the child), with their messages (retracted ones included: the record
    is complete) and every earlier version of an edited message."""
    mine = sa.select(conversation_participant.c.conversation_id).where(
        conversation_participant.c.person_id == student_id
    )
    ids = [
        row.id
        for row in await session.execute(
            sa.select(conversation.c.id).where(
                conversation.c.institution_id == institution_id,
                sa.or_(
                    conversation.c.id.in_(mine),
                    sa.and_(
                        conversation.c.context_kind == "student",
                        conversation.c.context_id == student_id,
                    ),
                ),
            )
        )
    ]
    if not ids:
        return {"conversations": [], "messages": [], "message_versions": []}
    conversations = _rows(
        await session.execute(
            sa.select(conversation)
            .where(conversation.c.id.in_(ids))
            .order_by(conversation.c.created_at, conversation.c.id)
        )
    )
    messages = _rows(
        await session.execute(
            sa.select(message)
            .where(message.c.conversation_id.in_(ids))
            .order_by(message.c.conversation_id, message.c.seq)
        )
    )
    versions = _rows(
        await session.execute(
            sa.select(message_version)
            .where(
                message_version.c.message_id.in_([m["id"] for m in messages] or [uuid.UUID(int=0)])
            )
            .order_by(message_version.c.message_id, message_version.c.version)
        )
    )
    return {"conversations": conversations, "messages": messages, "message_versions": versions}
