"""Use case: judge the bytes of a direct upload and, if they pass, make them a file."""

from __future__ import annotations

import uuid

from edtech.files.application.common import (
    FileInfectedError,
    attachable_excuse,
    check_quota,
    queue_thumbnail,
    scan,
)
from edtech.files.application.ports import (
    FileLimits,
    MalwareScanner,
    ObjectStorage,
    RecordsFactory,
)
from edtech.files.domain import (
    FileTooLargeError,
    QuotaExceededError,
    StoredFile,
    UploadRefusedError,
)
from edtech.files.domain.upload import (
    Upload,
    UploadExpiredError,
    UploadMismatchError,
    UploadMissingError,
)
from edtech.files.infrastructure.repository import SqlAlchemyFiles, SqlAlchemyUploads
from edtech.kernel.clock import Clock
from edtech.kernel.errors import ConflictError, DomainError, NotFoundError
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork
from edtech.platform.observability.logging import get_logger
from edtech.platform.storage import ObjectMissingError, require_storage, sha256_hex

log = get_logger("edtech.files")

# Answers after which the slot is spent and its bytes deleted; anything else (bytes not yet
# there, the scanner down) leaves it pending — in quarantine — to be confirmed again.
REFUSALS: tuple[type[DomainError], ...] = (
    UploadExpiredError,
    UploadMismatchError,
    UploadRefusedError,
    FileTooLargeError,
    FileInfectedError,
    QuotaExceededError,
)


class ConfirmUpload:
    """The person who asked for an upload slot confirms it once the bytes are sent. The node
    then judges the bytes themselves: they must be there, before the slot expired, of the
    declared size and SHA-256, of the declared type judged from their first bytes, clean to
    the malware scanner where one is set up, and within the institution's quota; and the
    person must still be allowed to attach to the note. Only then is the upload a file (with
    the slot's id). Refused bytes are deleted; until confirmed they are in quarantine — no one
    can list or download them. Anyone else is told the upload does not exist."""

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

    async def __call__(self, principal: Principal, upload_id: uuid.UUID) -> StoredFile:
        require_storage(self.storage)
        refused: DomainError | None = None
        async with self.uow as uow:
            upload = await SqlAlchemyUploads(uow.session).get(principal.institution_id, upload_id)
            if upload is None or upload.created_by != principal.person_id:
                raise NotFoundError("Upload not found.")
            try:
                stored = await self._judge(uow, principal, upload)
            except UploadMissingError:
                raise  # nothing sent yet: the slot stays open
            except REFUSALS as exc:
                refused = exc
            except ConflictError as exc:  # the note was decided meanwhile: the slot is spent
                if upload.state.value != "pending":
                    raise
                refused = exc
            if refused is None:
                await uow.commit()
                return stored
            upload.refuse(self.clock.now(), refused.code)
            await self.storage.delete(upload.storage_key)
            await uow.commit()
        log.info("upload_refused", upload_id=str(upload_id), reason=refused.code)
        raise refused

    async def _judge(self, uow: UnitOfWork, principal: Principal, upload: Upload) -> StoredFile:
        now = self.clock.now()
        upload.check_open(now)
        if upload.record_type == "excuse":
            await attachable_excuse(self.records(uow.session), principal, upload.record_id)
        try:
            info = await self.storage.stat(upload.storage_key)
        except ObjectMissingError:
            raise UploadMissingError("No file has arrived for this upload yet.") from None
        upload.check_arrived(info.size_bytes)  # before reading anything larger than declared
        data = await self.storage.get(upload.storage_key)
        upload.check_bytes(data, sha256_hex(data))
        await scan(self.scanner, data, filename=upload.filename)
        files = SqlAlchemyFiles(uow.session)
        await check_quota(files, upload.institution_id, upload.size_bytes, self.limits.quota_bytes)
        stored = StoredFile(
            id=upload.id,
            institution_id=upload.institution_id,
            category=upload.category,
            record_type=upload.record_type,
            record_id=upload.record_id,
            filename=upload.filename,
            content_type=upload.content_type,
            size_bytes=upload.size_bytes,
            sha256=upload.sha256,
            storage_key=upload.storage_key,
            created_by=upload.created_by,
            created_at=now,
        )
        await files.add(stored, upload.subjects)
        await queue_thumbnail(uow.session, self.clock, stored)
        upload.confirm(now)
        return stored
