"""Use case: the periodic release of held notifications and scheduled announcements."""

from __future__ import annotations

import uuid

from edtech.communication.application.announce import publish
from edtech.communication.application.common import Collaborators
from edtech.communication.domain import ConversationRead, NotificationsReleased
from edtech.communication.infrastructure import (
    SqlAlchemyAnnouncements,
    SqlAlchemyConversations,
    SqlAlchemySafety,
)


class ReleaseDue:
    """When a staff member's quiet hours end, the notifications held for them go to their inbox
    and their held read receipts are shown; scheduled announcements whose time has come are
    published. Safe to run on every node at once (rows are claimed with SKIP LOCKED)."""

    def __init__(self, deps: Collaborators) -> None:
        self.deps = deps

    async def __call__(self) -> int:
        """Release what is due; returns how many held items and announcements went out."""
        async with self.deps.uow as uow:
            now = self.deps.clock.now()
            safety = SqlAlchemySafety(uow.session)
            rows = await safety.due(now)
            inbox: dict[tuple[uuid.UUID, uuid.UUID], list[tuple[uuid.UUID, uuid.UUID]]] = {}
            reads: dict[tuple[uuid.UUID, uuid.UUID, uuid.UUID], None] = {}
            for r in rows:
                if r.kind == "message":
                    items = inbox.setdefault((r.institution_id, r.person_id), [])
                    items.append((r.conversation_id, r.message_id))
                else:
                    reads[(r.institution_id, r.conversation_id, r.person_id)] = None
            for (inst, person_id), items in inbox.items():
                uow.emit(
                    NotificationsReleased(
                        institution_id=inst,
                        occurred_at=now,
                        person_id=person_id,
                        conversation_ids=tuple(dict.fromkeys(c for c, _ in items)),
                        message_ids=tuple(m for _, m in items),
                    )
                )
            conversations = SqlAlchemyConversations(uow.session)
            for inst, conversation_id, person_id in reads:
                conv = await conversations.get(inst, conversation_id)
                me = conv.participants.get(person_id) if conv else None
                if conv is None or me is None:
                    continue
                if me.read_hidden_until is not None and me.read_hidden_until > now:
                    continue  # a newer quiet period hides it still; its own row releases it
                me.shown_read_seq, me.read_hidden_until = me.read_seq, None
                await conversations.save_cursor(conv, person_id)
                uow.emit(
                    ConversationRead(
                        institution_id=inst,
                        occurred_at=now,
                        conversation_id=conversation_id,
                        person_id=person_id,
                        read_seq=me.read_seq,
                    )
                )
            await safety.mark_released([r.id for r in rows], now)
            due = await SqlAlchemyAnnouncements(uow.session).due(now)
            if due:
                directory = self.deps.directory()
                for announcement in due:
                    await publish(uow, directory, announcement, now)
            if rows or due:
                await uow.commit()
            return len(rows) + len(due)
