"""Use case (scheduled): delete what expired upload slots left in quarantine."""

from __future__ import annotations

from edtech.files.application.ports import ObjectStorage
from edtech.files.infrastructure.repository import SqlAlchemyUploads
from edtech.kernel.clock import Clock
from edtech.platform.db.uow import UnitOfWork
from edtech.platform.storage import storage_is_set_up

BATCH = 200


class SweepUploads:
    """An upload slot that expired unconfirmed is refused and whatever bytes it received are
    deleted: nothing sent to a dead URL stays in the store."""

    def __init__(self, uow: UnitOfWork, clock: Clock, storage: ObjectStorage) -> None:
        self.uow, self.clock, self.storage = uow, clock, storage

    async def __call__(self) -> int:
        """How many slots were swept."""
        if not storage_is_set_up(self.storage):
            return 0
        now = self.clock.now()
        async with self.uow as uow:
            expired = await SqlAlchemyUploads(uow.session).expired(now, BATCH)
            for upload in expired:
                await self.storage.delete(upload.storage_key)
                upload.refuse(now, "upload_expired")
            await uow.commit()
        return len(expired)
