"""Use case: hand out a direct-upload slot for a file to attach to an absence note, or to
send with a message or an announcement later (an attachment)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from edtech.files.application.common import attachable_excuse, check_quota
from edtech.files.application.ports import FileLimits, ObjectStorage, RecordsFactory, UploadSigner
from edtech.files.domain import DRAFT, Category, storage_key
from edtech.files.domain.upload import Upload, declare_upload
from edtech.files.infrastructure.repository import SqlAlchemyFiles, SqlAlchemyUploads
from edtech.kernel.clock import Clock
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork
from edtech.platform.storage import UploadTarget, require_storage


@dataclass(frozen=True)
class UploadDeclaration:
    excuse_id: uuid.UUID | None
    """The absence note it is for; None for an attachment to send later."""
    filename: str
    content_type: str
    size_bytes: int
    sha256: str


@dataclass(frozen=True)
class UploadSlot:
    upload: Upload
    target: UploadTarget


class RequestUpload:
    """Whoever may attach a file to an absence note (its author, the attendance office) may
    instead declare it — name, type, size, SHA-256 — and get a slot: a URL to PUT exactly those
    bytes to, straight to the store, until the slot expires; so may anyone for an attachment
    to send with a message or an announcement later. Declarations over the size limit,
    of a type we refuse or over the quota are refused at once; the bytes themselves are judged
    when the upload is confirmed."""

    def __init__(
        self,
        uow: UnitOfWork,
        clock: Clock,
        storage: ObjectStorage,
        limits: FileLimits,
        records: RecordsFactory,
        signer: UploadSigner,
    ) -> None:
        self.uow, self.clock = uow, clock
        self.storage, self.limits, self.records, self.signer = storage, limits, records, signer

    async def __call__(self, principal: Principal, declared: UploadDeclaration) -> UploadSlot:
        require_storage(self.storage)
        now = self.clock.now()
        async with self.uow as uow:
            if declared.excuse_id is None:
                category, record = Category.ATTACHMENT, (DRAFT, principal.person_id)
                subjects: list[str] = []
            else:
                excuse = await attachable_excuse(
                    self.records(uow.session), principal, declared.excuse_id
                )
                category, record = Category.EXCUSE_NOTE, ("excuse", declared.excuse_id)
                subjects = [str(excuse.student_id)]
            name = declare_upload(
                declared.filename,
                declared.content_type,
                declared.size_bytes,
                declared.sha256,
                self.limits.max_bytes,
            )
            await check_quota(
                SqlAlchemyFiles(uow.session),
                principal.institution_id,
                declared.size_bytes,
                self.limits.quota_bytes,
            )
            upload_id = new_id()
            upload = Upload(
                id=upload_id,
                institution_id=principal.institution_id,
                category=category,
                record_type=record[0],
                record_id=record[1],
                subject_ids=subjects,
                filename=name,
                content_type=declared.content_type,
                size_bytes=declared.size_bytes,
                sha256=declared.sha256,
                storage_key=storage_key(principal.institution_id, upload_id),
                created_by=principal.person_id,
                created_at=now,
                expires_at=now + timedelta(seconds=self.limits.upload_ttl_seconds),
            )
            target = await self.storage.upload_target(
                upload.storage_key,
                content_type=upload.content_type,
                size_bytes=upload.size_bytes,
                sha256=upload.sha256,
                ttl_seconds=self.limits.upload_ttl_seconds,
            ) or self._node_target(upload.id, upload.expires_at, upload.content_type)
            SqlAlchemyUploads(uow.session).add(upload)
            await uow.commit()
        return UploadSlot(upload, target)

    def _node_target(
        self, upload_id: uuid.UUID, expires_at: datetime, content_type: str
    ) -> UploadTarget:
        """The filesystem store's stand-in: the node's own route, signed until expiry."""
        return UploadTarget(
            "PUT", self.signer.path(upload_id, expires_at), {"Content-Type": content_type}
        )
