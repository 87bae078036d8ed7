"""Use case: a recipient acknowledges an announcement."""

from __future__ import annotations

import uuid

from edtech.communication.infrastructure import SqlAlchemyAnnouncements
from edtech.kernel.clock import Clock
from edtech.kernel.errors import NotFoundError
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork


class AcknowledgeAnnouncement:
    """A recipient confirms they read an announcement; acknowledging twice changes nothing.
    Anyone else gets 404, as if it did not exist."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow = uow
        self.clock = clock

    async def __call__(self, principal: Principal, announcement_id: uuid.UUID) -> None:
        async with self.uow as uow:
            now = self.clock.now()
            repo = SqlAlchemyAnnouncements(uow.session)
            announcement = await repo.get(principal.institution_id, announcement_id)
            state = (
                None
                if announcement is None or announcement.published_at is None
                else await repo.is_recipient(announcement_id, principal.person_id)
            )
            if announcement is None or state is None:
                raise NotFoundError("announcement not found", announcement_id=str(announcement_id))
            if state:
                return
            await repo.acknowledge(announcement_id, principal.person_id, now)
            announcement.acknowledge(principal.person_id, now)
            await uow.commit()
