"""Use case: a guardian (or the office) attaches evidence to an absence note."""

from __future__ import annotations

import uuid

from edtech.files.application.common import (
    attachable_excuse,
    queue_thumbnail,
    removed_on_failure,
    scan,
    store,
)
from edtech.files.application.ports import (
    FileLimits,
    MalwareScanner,
    ObjectStorage,
    RecordsFactory,
)
from edtech.files.domain import Category, StoredFile, check_upload
from edtech.files.infrastructure.repository import SqlAlchemyFiles
from edtech.kernel.clock import Clock
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork
from edtech.platform.storage import require_storage


class AttachExcuseNote:
    """The guardian who wrote a pending absence note (still allowed to see the child's
    attendance), or the attendance office, attaches a file to it: a PDF or an image, judged
    from its bytes, under the size limit and the institution's quota, and clean to the malware
    scanner where one is set up. Anyone else is told the note does not exist — before what
    they sent is looked at. A decided note is closed: its files stay, none is added."""

    def __init__(
        self,
        uow: UnitOfWork,
        clock: Clock,
        storage: ObjectStorage,
        limits: FileLimits,
        records: RecordsFactory,
        scanner: MalwareScanner,
    ) -> None:
        self.uow, self.clock = uow, clock
        self.storage, self.limits, self.records = storage, limits, records
        self.scanner = scanner

    async def __call__(
        self, principal: Principal, excuse_id: uuid.UUID, filename: str, data: bytes
    ) -> StoredFile:
        require_storage(self.storage)
        async with self.uow as uow, removed_on_failure(self.storage) as written:
            records = self.records(uow.session)
            excuse = await attachable_excuse(records, principal, excuse_id)
            name, kind = check_upload(filename, data, self.limits.max_bytes)
            await scan(self.scanner, data, filename=name)
            stored = await store(
                SqlAlchemyFiles(uow.session),
                self.storage,
                institution_id=principal.institution_id,
                category=Category.EXCUSE_NOTE,
                record=("excuse", excuse_id),
                filename=name,
                content_type=kind,
                data=data,
                subjects=[excuse.student_id],
                by=principal.person_id,
                now=self.clock.now(),
                quota_bytes=self.limits.quota_bytes,
                written=written,
            )
            await queue_thumbnail(uow.session, self.clock, stored)
            await uow.commit()
        return stored
