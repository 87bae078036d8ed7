"""Read models: conversation lists with unread counts, history pages, announcements, exports."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.communication.domain import Conversation
from edtech.communication.infrastructure.tables import (
    announcement,
    announcement_recipient,
    conversation,
    conversation_export,
    conversation_participant,
    message,
    message_report,
    message_version,
    person_block,
)
from edtech.kernel.events import to_jsonable

me_part = conversation_participant.alias("me")


def _unread_for(person_id: Any, read_seq: Any, conversation_id: Any) -> sa.ScalarSelect[int]:
    return (
        sa.select(sa.func.count(message.c.id))
        .where(
            message.c.conversation_id == conversation_id,
            message.c.seq > read_seq,
            message.c.sender_id != person_id,
        )
        .scalar_subquery()
    )


def conversations_query(institution_id: uuid.UUID, person_id: uuid.UUID) -> sa.Select[Any]:
    """The caller's conversations, most recently active first, with their unread count."""
    activity = sa.func.coalesce(conversation.c.last_message_at, conversation.c.created_at)
    return (
        sa.select(
            conversation,
            me_part.c.read_seq,
            _unread_for(me_part.c.person_id, me_part.c.read_seq, conversation.c.id).label("unread"),
        )
        .join(me_part, me_part.c.conversation_id == conversation.c.id)
        .where(conversation.c.institution_id == institution_id, me_part.c.person_id == person_id)
        .order_by(activity.desc(), conversation.c.id.desc())
    )


async def unread_total(
    session: AsyncSession, institution_id: uuid.UUID, person_id: uuid.UUID
) -> int:
    """Unread messages over all of the caller's conversations (same on every device)."""
    stmt = (
        sa.select(sa.func.count(message.c.id))
        .join(
            conversation_participant,
            sa.and_(
                conversation_participant.c.conversation_id == message.c.conversation_id,
                message.c.seq > conversation_participant.c.read_seq,
                message.c.sender_id != conversation_participant.c.person_id,
            ),
        )
        .where(
            conversation_participant.c.person_id == person_id,
            conversation_participant.c.institution_id == institution_id,
        )
    )
    return int(await session.scalar(stmt) or 0)


async def participants_of(
    session: AsyncSession, conversation_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[Any]]:
    if not conversation_ids:
        return {}
    rows = await session.execute(
        sa.select(conversation_participant)
        .where(conversation_participant.c.conversation_id.in_(conversation_ids))
        .order_by(conversation_participant.c.joined_at, conversation_participant.c.person_id)
    )
    out: dict[uuid.UUID, list[Any]] = {}
    for r in rows:
        out.setdefault(r.conversation_id, []).append(r)
    return out


async def messages_page(
    session: AsyncSession, conversation_id: uuid.UUID, before: int | None, limit: int
) -> list[Any]:
    """Up to `limit` messages older than number `before` (or the newest), newest first."""
    stmt = sa.select(message).where(message.c.conversation_id == conversation_id)
    if before is not None:
        stmt = stmt.where(message.c.seq < before)
    stmt = stmt.order_by(message.c.seq.desc()).limit(limit)
    return list((await session.execute(stmt)).all())


async def versions_of(session: AsyncSession, message_id: uuid.UUID) -> list[Any]:
    stmt = (
        sa.select(message_version)
        .where(message_version.c.message_id == message_id)
        .order_by(message_version.c.version)
    )
    return list((await session.execute(stmt)).all())


async def export_rows(
    session: AsyncSession, conv: Conversation
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Everything about a conversation, retracted bodies and earlier versions included."""
    rows = (
        await session.execute(
            sa.select(message).where(message.c.conversation_id == conv.id).order_by(message.c.seq)
        )
    ).all()
    versions: dict[uuid.UUID, list[dict[str, Any]]] = {}
    ids = [r.id for r in rows]
    if ids:
        for v in await session.execute(
            sa.select(message_version)
            .where(message_version.c.message_id.in_(ids))
            .order_by(message_version.c.message_id, message_version.c.version)
        ):
            versions.setdefault(v.message_id, []).append(
                {"version": v.version, "body": v.body, "written_at": v.written_at}
            )
    header = {
        "id": conv.id,
        "kind": conv.kind.value,
        "context": {"kind": conv.context.kind.value, "id": conv.context.id}
        if conv.context
        else None,
        "title": conv.title,
        "created_by": conv.created_by,
        "created_at": conv.created_at,
        "participant_ids": list(conv.participants),
    }
    messages = [
        {
            "id": r.id,
            "seq": r.seq,
            "sender_id": r.sender_id,
            "client_id": r.client_id,
            "kind": r.kind,
            "body": r.body,
            "version": r.version,
            "created_at": r.created_at,
            "edited_at": r.edited_at,
            "retracted_at": r.retracted_at,
            "attachments": to_jsonable(r.attachments),
            "earlier_versions": versions.get(r.id, []),
        }
        for r in rows
    ]
    return header, messages


def received_announcements_query(institution_id: uuid.UUID, person_id: uuid.UUID) -> sa.Select[Any]:
    return (
        sa.select(announcement, announcement_recipient.c.acknowledged_at)
        .join(
            announcement_recipient,
            announcement_recipient.c.announcement_id == announcement.c.id,
        )
        .where(
            announcement.c.institution_id == institution_id,
            announcement_recipient.c.person_id == person_id,
            announcement.c.published_at.is_not(None),
        )
        .order_by(announcement.c.published_at.desc(), announcement.c.id.desc())
    )


def sent_announcements_query(institution_id: uuid.UUID, sender_id: uuid.UUID) -> sa.Select[Any]:
    acknowledged = (
        sa.select(sa.func.count())
        .where(
            announcement_recipient.c.announcement_id == announcement.c.id,
            announcement_recipient.c.acknowledged_at.is_not(None),
        )
        .scalar_subquery()
    )
    recipients = (
        sa.select(sa.func.count())
        .where(announcement_recipient.c.announcement_id == announcement.c.id)
        .scalar_subquery()
    )
    return (
        sa.select(
            announcement,
            recipients.label("recipient_count"),
            acknowledged.label("acknowledged_count"),
        )
        .where(
            announcement.c.institution_id == institution_id, announcement.c.sender_id == sender_id
        )
        .order_by(announcement.c.publish_at.desc(), announcement.c.id.desc())
    )


async def announcement_row(
    session: AsyncSession, institution_id: uuid.UUID, announcement_id: uuid.UUID
) -> Any:
    stmt = sa.select(announcement).where(
        announcement.c.institution_id == institution_id, announcement.c.id == announcement_id
    )
    return (await session.execute(stmt)).first()


async def conversation_row(
    session: AsyncSession,
    institution_id: uuid.UUID,
    person_id: uuid.UUID,
    conversation_id: uuid.UUID,
) -> Any:
    """One of the caller's conversations, as `conversations_query` lists it."""
    stmt = conversations_query(institution_id, person_id)
    return (await session.execute(stmt.where(conversation.c.id == conversation_id))).one()


async def acknowledgements(session: AsyncSession, announcement_id: uuid.UUID) -> list[Any]:
    """Recipients of an announcement, acknowledged first (in order), then those pending."""
    return list((await session.execute(acknowledgements_query(announcement_id))).all())


def acknowledgements_query(announcement_id: uuid.UUID) -> sa.Select[Any]:
    """Recipients, acknowledged first (in order), then those still pending."""
    return (
        sa.select(announcement_recipient.c.person_id, announcement_recipient.c.acknowledged_at)
        .where(announcement_recipient.c.announcement_id == announcement_id)
        .order_by(
            announcement_recipient.c.acknowledged_at.is_(None),
            announcement_recipient.c.acknowledged_at,
            announcement_recipient.c.person_id,
        )
    )


def reports_query(institution_id: uuid.UUID) -> sa.Select[Any]:
    return (
        sa.select(message_report)
        .where(message_report.c.institution_id == institution_id)
        .order_by(message_report.c.created_at.desc(), message_report.c.id.desc())
    )


def exports_query(institution_id: uuid.UUID) -> sa.Select[Any]:
    return (
        sa.select(conversation_export)
        .where(conversation_export.c.institution_id == institution_id)
        .order_by(conversation_export.c.created_at.desc(), conversation_export.c.id.desc())
    )


def blocks_query(institution_id: uuid.UUID, blocker_id: uuid.UUID) -> sa.Select[Any]:
    return (
        sa.select(person_block)
        .where(
            person_block.c.institution_id == institution_id,
            person_block.c.blocker_id == blocker_id,
        )
        .order_by(person_block.c.created_at.desc(), person_block.c.blocked_id)
    )


def visible_read_seq(row: Any, now: datetime) -> int:
    """A participant's cursor as the others may see it now (quiet hours hide it)."""
    hidden = row.read_hidden_until
    return int(row.shown_read_seq if hidden is not None and now < hidden else row.read_seq)


async def messages_by_id(
    session: AsyncSession, conversation_id: uuid.UUID, message_id: uuid.UUID
) -> Any:
    stmt = sa.select(message).where(
        message.c.conversation_id == conversation_id, message.c.id == message_id
    )
    return (await session.execute(stmt)).first()


async def may_read_message_files(
    session: AsyncSession, institution_id: uuid.UUID, person_id: uuid.UUID, message_id: uuid.UUID
) -> bool:
    """Whoever may read the message may download what it carries: a participant of its
    conversation, while it is not retracted (a retraction takes its files away)."""
    stmt = (
        sa.select(message.c.id)
        .join(
            conversation_participant,
            sa.and_(
                conversation_participant.c.conversation_id == message.c.conversation_id,
                conversation_participant.c.person_id == person_id,
            ),
        )
        .where(
            message.c.id == message_id,
            message.c.institution_id == institution_id,
            message.c.retracted_at.is_(None),
        )
    )
    return (await session.execute(stmt)).first() is not None


async def may_read_announcement_files(
    session: AsyncSession,
    institution_id: uuid.UUID,
    person_id: uuid.UUID,
    announcement_id: uuid.UUID,
) -> bool:
    """The sender, and once it is published its recipients, may download what an
    announcement carries."""
    row = await announcement_row(session, institution_id, announcement_id)
    if row is None:
        return False
    if row.sender_id == person_id:
        return True
    if row.published_at is None:
        return False
    stmt = sa.select(announcement_recipient.c.person_id).where(
        announcement_recipient.c.announcement_id == announcement_id,
        announcement_recipient.c.person_id == person_id,
    )
    return (await session.execute(stmt)).first() is not None
