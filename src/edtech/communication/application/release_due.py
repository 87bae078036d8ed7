"""Use case: the periodic release of held notifications and scheduled announcements."""

from __future__ import annotations

import uuid

from edtech.communication.application.common import publish_announcement
from edtech.communication.application.ports import DirectoryPort
from edtech.communication.domain import NotificationsReleased
from edtech.communication.infrastructure import (
    SqlAlchemyAnnouncements,
    SqlAlchemyConversations,
    SqlAlchemySafety,
)
from edtech.kernel.clock import Clock
from edtech.platform.db.uow import UnitOfWork


class ReleaseDue:
    """When a staff member's quiet hours end, the notifications held for them go to their inbox
    and their held read receipts are shown; scheduled announcements whose time has come are
    published. Safe to run on every node at once (rows are claimed with SKIP LOCKED)."""

    def __init__(self, uow: UnitOfWork, clock: Clock, directory: DirectoryPort) -> None:
        self.uow = uow
        self.clock = clock
        self.directory = directory

    async def __call__(self) -> int:
        """Release what is due; returns how many held items and announcements went out."""
        # Two transactions, in this order: the inbox release is an event of no aggregate, and
        # the unit of work commits such events after the aggregates' own (read receipts,
        # announcements); committing it first keeps staff hearing "released" before the
        # receipts. A crash in between leaves the rest for the next sweep (nothing is lost).
        return await self._release_inbox() + await self._release_reads_and_announcements()

    async def _release_inbox(self) -> int:
        async with self.uow as uow:
            now = self.clock.now()
            safety = SqlAlchemySafety(uow.session)
            rows = await safety.due(now, "message")
            inbox: dict[tuple[uuid.UUID, uuid.UUID], list[tuple[uuid.UUID, uuid.UUID]]] = {}
            for r in rows:
                items = inbox.setdefault((r.institution_id, r.person_id), [])
                items.append((r.conversation_id, r.message_id))
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
            if rows:
                await safety.mark_released([r.id for r in rows], now)
                await uow.commit()
            return len(rows)

    async def _release_reads_and_announcements(self) -> int:
        async with self.uow as uow:
            now = self.clock.now()
            safety = SqlAlchemySafety(uow.session)
            rows = await safety.due(now, "read")
            conversations = SqlAlchemyConversations(uow.session)
            reads = dict.fromkeys((r.institution_id, r.conversation_id, r.person_id) for r in rows)
            for inst, conversation_id, person_id in reads:
                conv = await conversations.get(inst, conversation_id)
                # a newer quiet period may hide it still: its own row releases it
                if conv is not None and conv.show_held_read(person_id, now):
                    await conversations.save_cursor(conv, person_id)
            await safety.mark_released([r.id for r in rows], now)
            due = await SqlAlchemyAnnouncements(uow.session).due(now)
            if due:
                directory = self.directory(uow.session)
                for announcement in due:
                    await publish_announcement(uow, directory, announcement, now)
            if rows or due:
                await uow.commit()
            return len(rows) + len(due)
