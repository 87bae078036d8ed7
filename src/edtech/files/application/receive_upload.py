"""Use case: the filesystem store's direct upload — the node receives a slot's bytes itself."""

from __future__ import annotations

import uuid

from edtech.files.application.ports import ObjectStorage, UploadSigner
from edtech.files.domain.upload import Upload, UploadMismatchError, UploadState
from edtech.kernel.clock import Clock
from edtech.kernel.errors import ForbiddenError
from edtech.platform.db.uow import UnitOfWork
from edtech.platform.storage import require_storage, sha256_hex


class ReceiveUpload:
    """What a presigned PUT is on S3, on a directory: whoever holds the slot's signed URL (no
    sign-in: the URL is the permission) may send the declared bytes once, until the URL
    expires; other bytes (another length or checksum) are refused as S3 refuses them against
    its signed headers. The bytes stay in quarantine until the slot is confirmed."""

    def __init__(
        self, uow: UnitOfWork, clock: Clock, storage: ObjectStorage, signer: UploadSigner
    ) -> None:
        self.uow, self.clock, self.storage, self.signer = uow, clock, storage, signer

    async def __call__(
        self, upload_id: uuid.UUID, expires: int, signature: str, data: bytes
    ) -> None:
        require_storage(self.storage)
        if not self.signer.valid(upload_id, expires, signature, self.clock.now()):
            raise ForbiddenError("This upload URL is not valid, or has expired.")
        async with self.uow as uow:
            upload = await uow.session.get(Upload, upload_id)
            if upload is None or upload.state is not UploadState.PENDING:
                raise ForbiddenError("This upload URL is not valid, or has expired.")
            if len(data) != upload.size_bytes or sha256_hex(data) != upload.sha256:
                raise UploadMismatchError("These are not the bytes this upload URL was signed for.")
            key, content_type, digest = upload.storage_key, upload.content_type, upload.sha256
        await self.storage.put(key, data, content_type=content_type, sha256=digest)
