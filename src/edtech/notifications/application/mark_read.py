"""Use case: a person read a notification (or opened the app: all of them)."""

from __future__ import annotations

import uuid

from edtech.kernel.clock import Clock
from edtech.kernel.errors import NotFoundError
from edtech.kernel.principal import Principal
from edtech.notifications.infrastructure.repository import SqlNotifications
from edtech.platform.db.uow import UnitOfWork


class MarkRead:
    """Reading a notification stops its ladder: every rung not yet sent is skipped when it
    comes due. Opening the app (no id) reads them all. Someone else's notification is 404.
    Senders of a batch see the recipient as reached."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    async def __call__(self, principal: Principal, notification_id: uuid.UUID | None) -> int:
        """Returns how many were newly read."""
        async with self.uow as uow:
            store = SqlNotifications(uow.session)
            if notification_id is not None and not await store.exists_for(
                principal.person_id, notification_id
            ):
                raise NotFoundError("no such notification")
            now = self.clock.now()
            marked = await store.mark_read(principal.person_id, notification_id, now)
            for batch_id, n in marked.reached_per_batch().items():
                progressed = await store.batch_progress(batch_id, now, reached=n)
                if progressed is not None:
                    uow.emit(progressed)
            await uow.commit()
            return marked.count
