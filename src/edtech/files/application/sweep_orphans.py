"""Use case (scheduled): delete objects no file and no upload slot points at."""

from __future__ import annotations

from datetime import timedelta

from edtech.files.application.common import delete_objects
from edtech.files.application.ports import ObjectStorage
from edtech.files.infrastructure.repository import known_keys
from edtech.kernel.clock import Clock
from edtech.platform.db.uow import UnitOfWork
from edtech.platform.observability.logging import get_logger
from edtech.platform.storage import storage_is_set_up

log = get_logger("edtech.files")

# Older than any write that may still be on its way to its commit.
GRACE = timedelta(days=1)
BATCH = 500


class SweepOrphans:
    """Bytes are written before their row; a node that dies between the two leaves an object
    nothing points at. Objects a day old that no file and no live upload slot names are
    deleted, and the log says how many."""

    def __init__(self, uow: UnitOfWork, clock: Clock, storage: ObjectStorage) -> None:
        self.uow, self.clock, self.storage = uow, clock, storage

    async def __call__(self) -> int:
        """How many objects were deleted."""
        if not storage_is_set_up(self.storage):
            return 0
        cutoff = self.clock.now() - GRACE
        old: list[str] = []
        async for key, info in self.storage.listing():
            if info.modified_at <= cutoff:
                old.append(key)
        orphans: list[str] = []
        async with self.uow as uow:
            for start in range(0, len(old), BATCH):
                chunk = old[start : start + BATCH]
                known = await known_keys(uow.session, chunk)
                orphans.extend(k for k in chunk if k not in known)
        await delete_objects(self.storage, orphans)
        if orphans:
            log.warning("orphans_deleted", count=len(orphans))
        return len(orphans)
