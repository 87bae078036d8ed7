"""Use case: upload a file to attach to a chat message or an announcement later."""

from __future__ import annotations

from edtech.files.application.common import queue_thumbnail, removed_on_failure, scan, store
from edtech.files.application.ports import FileLimits, MalwareScanner, ObjectStorage
from edtech.files.domain import DRAFT, Category, StoredFile, check_upload
from edtech.files.infrastructure.repository import SqlAlchemyFiles
from edtech.kernel.clock import Clock
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork
from edtech.platform.storage import require_storage


class UploadAttachment:
    """Anyone signed in uploads a file to send with a message or an announcement: a PDF or an
    image, judged from its bytes, under the size limit and the institution's quota, and clean
    to the malware scanner where one is set up. Until it is sent only its uploader sees it; a
    file never sent is deleted after a day. An image gets a thumbnail moments later."""

    def __init__(
        self,
        uow: UnitOfWork,
        clock: Clock,
        storage: ObjectStorage,
        limits: FileLimits,
        scanner: MalwareScanner,
    ) -> None:
        self.uow, self.clock = uow, clock
        self.storage, self.limits, self.scanner = storage, limits, scanner

    async def __call__(self, principal: Principal, filename: str, data: bytes) -> StoredFile:
        require_storage(self.storage)
        name, kind = check_upload(filename, data, self.limits.max_bytes)
        await scan(self.scanner, data, filename=name)
        async with self.uow as uow, removed_on_failure(self.storage) as written:
            stored = await store(
                SqlAlchemyFiles(uow.session),
                self.storage,
                institution_id=principal.institution_id,
                category=Category.ATTACHMENT,
                record=(DRAFT, principal.person_id),
                filename=name,
                content_type=kind,
                data=data,
                subjects=[],
                by=principal.person_id,
                now=self.clock.now(),
                quota_bytes=self.limits.quota_bytes,
                written=written,
            )
            await queue_thumbnail(uow.session, self.clock, stored)
            await uow.commit()
        return stored
