"""Use case (scheduled): delete files kept past their category's retention."""

from __future__ import annotations

from datetime import timedelta

from edtech.files.application.common import delete_objects
from edtech.files.application.ports import ObjectStorage
from edtech.files.domain.erasure import DRAFT_HOURS
from edtech.files.domain.retention import DEFAULTS, cutoff
from edtech.files.infrastructure.repository import SqlAlchemyFiles
from edtech.files.infrastructure.retention import all_retention_overrides
from edtech.kernel.clock import Clock
from edtech.platform.db.uow import UnitOfWork
from edtech.platform.observability.logging import get_logger
from edtech.platform.storage import storage_is_set_up

log = get_logger("edtech.files")

BATCH = 200


class PruneFiles:
    """Each category keeps its files as long as its retention says — the institution's own
    period where it set one (`PUT /api/v1/files/retention`), else the default (a record
    package for 30 days; every other file as long as its record) — and an attachment uploaded
    but never sent is kept a day: older ones are deleted, rows first and then their bytes, and
    the log says how many."""

    def __init__(self, uow: UnitOfWork, clock: Clock, storage: ObjectStorage) -> None:
        self.uow, self.clock, self.storage = uow, clock, storage

    async def __call__(self) -> int:
        """How many files were pruned."""
        if not storage_is_set_up(self.storage):
            return 0
        now = self.clock.now()
        defaults = {c: cut for c, days in DEFAULTS.items() if (cut := cutoff(days, now))}
        async with self.uow as uow:
            own = {
                institution_id: {c: cutoff(days, now) for c, days in periods.items()}
                for institution_id, periods in (await all_retention_overrides(uow.session)).items()
            }
            files = SqlAlchemyFiles(uow.session)
            old = await files.past(defaults, BATCH, own)
            old += await files.unsent_drafts(now - timedelta(hours=DRAFT_HOURS), BATCH)
            keys = [k for f in old for k in f.object_keys]
            await files.remove(old)
            await uow.commit()
        await delete_objects(self.storage, keys)
        if old:
            log.info("files_pruned", count=len(old))
        return len(old)
