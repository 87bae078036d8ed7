"""Use case (a job): render the thumbnail of an uploaded image and keep it beside it."""

from __future__ import annotations

import asyncio
import uuid

from edtech.files.application.common import removed_on_failure
from edtech.files.application.ports import ObjectStorage
from edtech.files.domain import thumbnail_key
from edtech.files.infrastructure.repository import SqlAlchemyFiles
from edtech.files.infrastructure.thumbnails import make_thumbnail
from edtech.kernel.clock import Clock
from edtech.platform.db.uow import UnitOfWork
from edtech.platform.observability.logging import get_logger
from edtech.platform.storage import sha256_hex, storage_is_set_up

log = get_logger("edtech.files")


class RenderThumbnail:
    """An uploaded image (PNG, JPEG, WebP) gets a thumbnail: at most 320 pixels on its longer
    side, turned upright as the camera said (EXIF orientation), with none of the original's
    metadata (no EXIF, no GPS position). It is kept beside the original, counted in the quota,
    read by whoever may read the original and deleted with it. An image that cannot be read
    gets none (the log says so); rendering twice changes nothing."""

    def __init__(self, uow: UnitOfWork, clock: Clock, storage: ObjectStorage) -> None:
        self.uow, self.clock, self.storage = uow, clock, storage

    async def __call__(self, institution_id: uuid.UUID, file_id: uuid.UUID) -> bool:
        """Whether a thumbnail was made."""
        if not storage_is_set_up(self.storage):
            return False
        async with self.uow as uow, removed_on_failure(self.storage) as written:
            found = await SqlAlchemyFiles(uow.session).get(institution_id, file_id)
            if found is None or not found.wants_thumbnail:
                return False
            data = await self.storage.get(found.storage_key)
            thumb = (
                await asyncio.to_thread(make_thumbnail, data)
                if sha256_hex(data) == found.sha256
                else None
            )
            if thumb is None:
                log.warning("thumbnail_not_rendered", file_id=str(file_id))
                return False
            key = thumbnail_key(found.storage_key)
            digest = sha256_hex(thumb)
            written.append(key)
            await self.storage.put(key, thumb, content_type="image/jpeg", sha256=digest)
            found.thumbnail_key, found.thumbnail_size_bytes = key, len(thumb)
            found.thumbnail_sha256 = digest
            await uow.commit()
        return True
