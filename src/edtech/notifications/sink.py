"""The slice's event sink: notifications and their ladder's jobs, staged in the transaction of
the change that raised the events (a session closed, an announcement published)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from edtech.kernel.clock import Clock
from edtech.kernel.events import DomainEvent
from edtech.notifications.application import (
    CHUNK,
    DELIVERED,
    MESSAGE,
    TRIGGERING,
    PlanNotifications,
    delays_of,
    source_key,
    triggers,
)
from edtech.notifications.domain import Delays
from edtech.notifications.infrastructure.repository import SqlNotifications
from edtech.platform.services import Services

READ = "chat.read"


class NotificationSink:
    """`stage` plans the notifications of the events that notify someone, marks a chat
    message's notification seen when communication records its delivery to the person
    (`chat.delivered`), and a conversation's message notifications read when the person reads
    it (`chat.read`: those made by then); `committed` has nothing to do (the job runner picks
    the jobs up)."""

    event_types = frozenset({*TRIGGERING, DELIVERED, READ})

    def __init__(self, clock: Clock, delays: Delays, chunk: int = CHUNK) -> None:
        self.clock, self.delays, self.chunk = clock, delays, chunk

    async def stage(self, session: AsyncSession, events: Sequence[DomainEvent]) -> object:
        planned = 0
        store = SqlNotifications(session)
        for event in events:
            if event.type == DELIVERED:
                data: Any = event
                key = source_key(DELIVERED, {"message_id": data.message_id})
                await store.mark_seen(data.person_id, MESSAGE, key, data.delivered_at)
            elif event.type == READ:
                read: Any = event
                await store.mark_conversation_read(
                    read.person_id, read.conversation_id, read.occurred_at, read.occurred_at
                )
        plan = PlanNotifications(session, self.clock, self.delays, self.chunk)
        found = await triggers(session, events)
        planned += await plan.plan(found.triggers, found.schools)
        return planned

    async def committed(self, staged: object) -> None:
        return None


def build_sink(services: Services) -> NotificationSink:
    s = services.settings.notifications
    delays = delays_of(
        s.notify_push_delay_seconds, s.notify_email_delay_seconds, s.notify_sms_delay_seconds
    )
    return NotificationSink(services.clock, delays, s.notify_chunk_size)
