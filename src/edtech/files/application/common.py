"""Shared by the files use cases: who may attach to an absence note, the malware scan,
storing bytes with their row under the quota, and removing bytes whose row never committed."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from edtech.attendance.public import ExcuseFacts
from edtech.files.domain import (
    DRAFT,
    READ_RULES,
    Category,
    FieldProblem,
    QuotaExceededError,
    StoredFile,
    may_read,
    storage_key,
)
from edtech.files.infrastructure.records import SliceRecords
from edtech.files.infrastructure.repository import SqlAlchemyFiles
from edtech.files.infrastructure.scanner import MalwareScanner, ScanResult
from edtech.kernel.clock import Clock
from edtech.kernel.errors import ConflictError, InvalidError, NotFoundError
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork
from edtech.platform.jobs import SqlJobs
from edtech.platform.observability.logging import get_logger
from edtech.platform.storage import ObjectStorage, sha256_hex

log = get_logger("edtech.files")

RENDER_THUMBNAIL = "files.render_thumbnail"


class FileInfectedError(InvalidError):
    """The malware scanner found something in the file."""

    code = "file_infected"


async def attachable_excuse(
    records: SliceRecords, principal: Principal, excuse_id: uuid.UUID
) -> ExcuseFacts:
    """The absence note `principal` may attach a file to: the guardian who wrote it (still
    allowed to see the child's attendance) or the attendance office, while it is pending.
    Anyone else is told it does not exist (404) — before anything they sent is looked at."""
    excuse = await records.excuse(principal.institution_id, excuse_id)
    if excuse is None:
        raise NotFoundError("Absence note not found.")
    rights = await records.guardian_rights(principal)
    rule = READ_RULES[Category.EXCUSE_NOTE]
    readable = may_read(principal, Category.EXCUSE_NOTE, frozenset({excuse.student_id}), rights)
    office = bool(principal.roles & rule.staff)
    if not readable or not (office or principal.person_id == excuse.submitted_by):
        raise NotFoundError("Absence note not found.")
    if excuse.state != "pending":
        raise ConflictError("This note has been decided: no file can be added.")
    return excuse


async def scan(scanner: MalwareScanner, data: bytes, *, filename: str) -> ScanResult:
    """The scan's verdict; an infected file is refused (422 `file_infected`), a scanner that
    is set up but not answering refuses everything (503 `scanner_unavailable`)."""
    result = await scanner.scan(data)
    if result.infected:
        log.warning("file_infected", signature=result.signature, filename=filename)
        raise FileInfectedError(
            "The file was refused: the malware scanner found something in it.",
            [FieldProblem(("file",), f"found {result.signature}")],
        )
    return result


@asynccontextmanager
async def removed_on_failure(storage: ObjectStorage) -> AsyncIterator[list[str]]:
    """Keys added to the yielded list are deleted from the store if the block fails — a
    flush, a commit, anything after the bytes were written — so a row that never committed
    leaves no object behind. (A node that dies mid-block leaves one: the price of writing
    bytes before their row, which never leaves a row without bytes.)"""
    written: list[str] = []
    try:
        yield written
    except BaseException:
        for key in written:
            try:
                await storage.delete(key)
            except Exception as exc:  # the original failure matters more
                log.warning("orphan_not_removed", key=key, error=f"{type(exc).__name__}: {exc}")
        raise


async def check_quota(
    files: SqlAlchemyFiles, institution_id: uuid.UUID, size_bytes: int, quota_bytes: int
) -> None:
    """413 `quota_exceeded` when `size_bytes` more would pass the institution's quota."""
    if await files.bytes_used(institution_id) + size_bytes > quota_bytes:
        raise QuotaExceededError(
            "The institution's file storage is full.",
            [FieldProblem(("file",), f"the institution may keep {quota_bytes} bytes")],
        )


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
    written: list[str] | None = None,
) -> StoredFile:
    """Put the bytes in the store, then add their row to the caller's transaction.

    The bytes go first, so a row never points at nothing; pass `written` (from
    `removed_on_failure`) so that a failed flush or commit deletes them again."""
    if quota_bytes is not None:
        await check_quota(files, institution_id, len(data), quota_bytes)
    file_id = new_id()
    digest = sha256_hex(data)
    key = storage_key(institution_id, file_id)
    if written is not None:
        written.append(key)
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


async def keep_student_document(
    uow: UnitOfWork,
    storage: ObjectStorage,
    written: list[str],
    *,
    institution_id: uuid.UUID,
    student_id: uuid.UUID,
    category: Category,
    filename: str,
    data: bytes,
    by: uuid.UUID | None,
    now: datetime,
    content_type: str = "application/pdf",
) -> StoredFile:
    """Keep a document produced about one student (a statement, report card, letter, record
    package) as a file of the student's record, and commit the unit of work it belongs to."""
    stored = await store(
        SqlAlchemyFiles(uow.session),
        storage,
        institution_id=institution_id,
        category=category,
        record=("student", student_id),
        filename=filename,
        content_type=content_type,
        data=data,
        subjects=[student_id],
        by=by,
        now=now,
        written=written,
    )
    await uow.commit()
    return stored


async def delete_objects(storage: ObjectStorage, keys: list[str]) -> None:
    """Delete objects whose rows are already gone; one that fails is logged, not raised (the
    rows' removal is committed: an object left behind is invisible)."""
    for key in keys:
        try:
            await storage.delete(key)
        except Exception as exc:
            log.warning("object_not_deleted", key=key, error=f"{type(exc).__name__}: {exc}")


async def queue_thumbnail(session: AsyncSession, clock: Clock, stored: StoredFile) -> None:
    """An uploaded image gets a thumbnail job, queued in the upload's own transaction."""
    if stored.wants_thumbnail:
        await SqlJobs(session, clock).defer(
            RENDER_THUMBNAIL,
            {"institution_id": str(stored.institution_id), "file_id": str(stored.id)},
            lock=f"thumbnail:{stored.id}",
            institution_id=stored.institution_id,
        )


async def may_read_file(
    records: SliceRecords,
    principal: Principal,
    file: StoredFile | Any,
    subject_ids: frozenset[uuid.UUID],
) -> bool:
    """The read rule of a file (a row of the principal's institution). An attachment follows
    what carries it: a draft its uploader alone, a message its conversation's participants
    (until it is retracted), an announcement its sender and recipients."""
    if file.category == Category.ATTACHMENT:
        if file.record_type == DRAFT:
            return bool(file.created_by == principal.person_id)
        return await records.may_read_attachment(principal, file.record_type, file.record_id)
    rights = await records.guardian_rights(principal)
    return may_read(principal, Category(file.category), subject_ids, rights)
