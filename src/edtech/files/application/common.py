"""Shared by the files use cases: storing bytes with their row, under the quota."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from edtech.files.domain import (
    Category,
    FieldProblem,
    QuotaExceededError,
    StoredFile,
    storage_key,
)
from edtech.files.infrastructure.repository import SqlAlchemyFiles
from edtech.kernel.ids import new_id
from edtech.platform.storage import ObjectStorage, sha256_hex


async def store(
    files: SqlAlchemyFiles,
    storage: ObjectStorage,
    *,
    institution_id: uuid.UUID,
    category: Category,
    record: tuple[str, uuid.UUID],
    filename: str,
    content_type: str,
    data: bytes,
    subjects: Iterable[uuid.UUID],
    by: uuid.UUID | None,
    now: datetime,
    quota_bytes: int | None = None,
) -> StoredFile:
    """Put the bytes in the store, then add their row to the caller's transaction.

    The bytes go first: a failed commit leaves an object no row points to (invisible, and
    overwritten by nothing since keys are new ids), never a row without its bytes."""
    if quota_bytes is not None and await files.bytes_used(institution_id) + len(data) > quota_bytes:
        raise QuotaExceededError(
            "The institution's file storage is full.",
            [FieldProblem(("file",), f"the institution may keep {quota_bytes} bytes")],
        )
    file_id = new_id()
    digest = sha256_hex(data)
    key = storage_key(institution_id, file_id)
    await storage.put(key, data, content_type=content_type, sha256=digest)
    stored = StoredFile(
        id=file_id,
        institution_id=institution_id,
        category=category,
        record_type=record[0],
        record_id=record[1],
        filename=filename,
        content_type=content_type,
        size_bytes=len(data),
        sha256=digest,
        storage_key=key,
        created_by=by,
        created_at=now,
    )
    await files.add(stored, subjects)
    return stored
