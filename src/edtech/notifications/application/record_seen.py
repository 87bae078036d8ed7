"""Use case: notifications that reached one of their person's open sockets."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from edtech.kernel.clock import Clock
from edtech.notifications.infrastructure.repository import SqlNotifications
from edtech.platform.db.uow import UnitOfWork


@dataclass(frozen=True)
class Seen:
    person_id: uuid.UUID
    event_type: str
    source_key: str
    at: datetime


class RecordSeen:
    """A notification is seen the first time its event reaches one of the person's sockets
    (the hub tells us): rungs that wait "unless seen" (push for an absence) are then skipped,
    and a batch's sender counts the person as reached. A delivery batch is marked in two
    statements (reached, seen), not two per notification."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    async def __call__(self, seen: Sequence[Seen]) -> int:
        if not seen:
            return 0
        async with self.uow as uow:
            store = SqlNotifications(uow.session)
            reached: dict[uuid.UUID, int] = {}
            new = 0
            by_instant: dict[datetime, list[tuple[uuid.UUID, str, str]]] = {}
            for s in seen:
                by_instant.setdefault(s.at, []).append((s.person_id, s.event_type, s.source_key))
            for at, keys in by_instant.items():  # one instant for a delivery batch
                marked = await store.mark_seen_many(keys, at)
                new += marked.count
                for batch_id, n in marked.reached_per_batch().items():
                    reached[batch_id] = reached.get(batch_id, 0) + n
            # Last, in batch order: each batch row stays locked until the commit.
            for batch_id in sorted(reached):
                progressed = await store.batch_progress(
                    batch_id, self.clock.now(), reached=reached[batch_id]
                )
                if progressed is not None:
                    uow.emit(progressed)
            await uow.commit()
        return new
