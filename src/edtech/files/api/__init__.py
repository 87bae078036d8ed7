"""Routes of the files slice: attach, list, read and download files; render documents.

Every file is read through the node, which checks the file's read rule first: a file the
caller may not read is answered exactly like one that does not exist (404). On S3 the download
is a redirect to a presigned URL that expires after `EDTECH_FILES_URL_TTL_SECONDS`; on the
filesystem the node streams the bytes, verified against their SHA-256.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from edtech.files.application.attach_excuse_note import AttachExcuseNote
from edtech.files.application.common import attachable_excuse, may_read_file
from edtech.files.application.produce_record_package import ProduceRecordPackage
from edtech.files.application.render_report_card import RenderReportCard
from edtech.files.application.render_statement import RenderStatement
from edtech.files.application.upload_attachment import UploadAttachment
from edtech.files.domain import (
    Category,
    FileTooLargeError,
    NoThumbnailError,
    QuotaExceededError,
    StoredFile,
    UploadRefusedError,
)
from edtech.files.domain.upload import UploadExpiredError
from edtech.files.infrastructure.records import SliceRecords
from edtech.files.infrastructure.repository import file_row, files_query, subjects_of
from edtech.files.wiring import limits, records, scanner, storage
from edtech.identity.public import CurrentPrincipalDep
from edtech.kernel.errors import DomainError, NotFoundError
from edtech.platform.http.deps import ReadSessionDep, ServicesDep, use_case
from edtech.platform.http.pagination import Page, PageParamsDep, paginate
from edtech.platform.storage import ObjectMissingError, sha256_hex

router = APIRouter(prefix="/api/v1/files", tags=["files"])

STORAGE_503: dict[int | str, dict[str, Any]] = {
    503: {
        "description": "File storage is not set up on this server (`code` storage_not_set_up) "
        "or not answering (`code` storage_failed), or the malware scanner is set up but not "
        "answering (`code` scanner_unavailable); nothing was changed.",
        "content": {"application/problem+json": {}},
    }
}
READ_ANSWERS: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such file, another institution's, or not yours to read."},
    **STORAGE_503,
}
UPLOAD_ANSWERS: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such absence note, or not yours to attach to."},
    409: {"description": "The note has been decided: no file can be added."},
    413: {"description": "Larger than the upload limit, or over the institution's quota."},
    415: {"description": "Not a PDF or an image (judged from the bytes), or named as another."},
    422: {
        "description": "Empty, unnamed, a path instead of a file name, or malware found "
        "(`code` file_infected)."
    },
    **STORAGE_503,
}
DOCUMENT_ANSWERS: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such student, or not yours to ask for."},
    **STORAGE_503,
}


class RecordType(enum.StrEnum):
    EXCUSE = "excuse"
    PAYMENT = "payment"
    INVOICE = "invoice"
    STUDENT = "student"
    DRAFT = "draft"
    """An attachment not sent yet (its record is its uploader)."""
    MESSAGE = "message"
    ANNOUNCEMENT = "announcement"


class FileOut(BaseModel):
    """A stored file; fetch its bytes from `download`."""

    id: uuid.UUID
    category: Category
    record_type: RecordType
    record_id: uuid.UUID
    filename: str
    content_type: str
    size_bytes: int
    sha256: str = Field(description="SHA-256 of the bytes, hex.")
    created_at: datetime
    download: str = Field(description="Path of the download route (checks access again).")
    thumbnail: str | None = Field(
        None,
        description="Images: path of the thumbnail (checks access again), once it is rendered "
        "(a job, moments after the upload); null before, and for other files.",
    )


class StudentIn(BaseModel):
    student_id: uuid.UUID


def file_out(f: Any) -> FileOut:
    return FileOut(
        id=f.id,
        category=f.category,
        record_type=f.record_type,
        record_id=f.record_id,
        filename=f.filename,
        content_type=f.content_type,
        size_bytes=f.size_bytes,
        sha256=f.sha256,
        created_at=f.created_at,
        download=f"/api/v1/files/{f.id}/content",
        thumbnail=f"/api/v1/files/{f.id}/thumbnail" if f.thumbnail_key else None,
    )


class FileProblem(HTTPException):
    """An upload refused with its own status (410, 413, 415); the handler reads `code`."""

    def __init__(self, status: int, error: DomainError) -> None:
        super().__init__(status, error.message)
        self.code = error.code
        problems = getattr(error, "problems", [])
        self.extra = {
            "errors": [{"loc": list(p.loc), "msg": p.message, "type": p.type} for p in problems]
        }


@contextmanager
def upload_statuses() -> Iterator[None]:
    """Refused uploads with the statuses HTTP has for them: 413 too large (or over quota),
    415 a type we refuse, 410 an expired upload URL."""
    try:
        yield
    except (FileTooLargeError, QuotaExceededError) as exc:
        raise FileProblem(413, exc) from None
    except UploadRefusedError as exc:
        raise FileProblem(415, exc) from None
    except UploadExpiredError as exc:
        raise FileProblem(410, exc) from None


async def attachable(
    excuse_id: uuid.UUID, principal: CurrentPrincipalDep, db: ReadSessionDep
) -> uuid.UUID:
    """The absence note, if the caller may attach to it: checked before the body is judged,
    so a stranger learns nothing from what they sent (404, never 413/415/422)."""
    await attachable_excuse(SliceRecords(db), principal, excuse_id)
    return excuse_id


AttachableDep = Annotated[uuid.UUID, Depends(attachable)]


@router.post(
    "/excuse-notes/{excuse_id}",
    response_model=FileOut,
    status_code=201,
    responses=UPLOAD_ANSWERS,
    summary="Attach a file (a doctor's note) to an absence note",
)
async def attach_excuse_note(
    excuse_id: AttachableDep,
    file: UploadFile,
    principal: CurrentPrincipalDep,
    attach: Annotated[
        AttachExcuseNote, Depends(use_case(AttachExcuseNote, storage, limits, records, scanner))
    ],
    services: ServicesDep,
) -> FileOut:
    """The guardian who wrote a pending note, or the attendance office, attaches a PDF or an
    image; its type is judged from its bytes, never from its name or the header sent. Where a
    malware scanner is set up the file is scanned before it is kept (422 `file_infected`; 503
    `scanner_unavailable` while it does not answer). For files sent straight to the store, see
    `POST /excuse-notes/{excuse_id}/uploads`."""
    data = await file.read(services.settings.files_max_bytes + 1)
    with upload_statuses():
        stored = await attach(principal, excuse_id, file.filename or "", data)
    return file_out(stored)


ATTACHMENT_ANSWERS: dict[int | str, dict[str, Any]] = {
    k: v for k, v in UPLOAD_ANSWERS.items() if k not in (404, 409)
}


@router.post(
    "/attachments",
    response_model=FileOut,
    status_code=201,
    responses=ATTACHMENT_ANSWERS,
    summary="Upload a file to send with a message or an announcement",
)
async def upload_attachment(
    file: UploadFile,
    principal: CurrentPrincipalDep,
    upload: Annotated[
        UploadAttachment, Depends(use_case(UploadAttachment, storage, limits, scanner))
    ],
    services: ServicesDep,
) -> FileOut:
    """Then name its `id` in `attachment_ids` when posting the message
    (`POST /api/v1/conversations/{id}/messages`) or the announcement. Until sent only you see
    it (`record_type` `draft`); never sent, it is deleted after a day. Its type is judged from
    its bytes; an image gets a thumbnail moments later."""
    data = await file.read(services.settings.files_max_bytes + 1)
    with upload_statuses():
        stored = await upload(principal, file.filename or "", data)
    return file_out(stored)


@router.get("", response_model=Page[FileOut], summary="Files you may read")
async def list_files(
    request: Request,
    principal: CurrentPrincipalDep,
    db: ReadSessionDep,
    page: PageParamsDep,
    category: Annotated[Category | None, Query()] = None,
    record_type: Annotated[RecordType | None, Query()] = None,
    record_id: Annotated[uuid.UUID | None, Query()] = None,
    student_id: Annotated[uuid.UUID | None, Query()] = None,
) -> Page[FileOut]:
    """Newest first: an absence note's files (`record_type=excuse&record_id=`), a payment's
    receipt (`record_type=payment`), a student's documents (`student_id=`), your attachments
    not sent yet (`record_type=draft`) — only those the caller may read. Files carried by a
    message or an announcement are listed with it."""
    rights = await SliceRecords(db).guardian_rights(principal)
    stmt = files_query(
        principal,
        rights,
        category=category,
        record_type=record_type.value if record_type else None,
        record_id=record_id,
        student_id=student_id,
    )
    return await paginate(db, stmt, page, request, file_out)


async def readable(db: ReadSessionDep, principal: CurrentPrincipalDep, file_id: uuid.UUID) -> Any:
    """The file's row if the caller may read it; 404 otherwise, as for a missing one."""
    row = await file_row(db, principal.institution_id, file_id)
    if row is not None and await may_read_file(
        SliceRecords(db), principal, row, await subjects_of(db, file_id)
    ):
        return row
    raise NotFoundError("File not found.")


ReadableDep = Annotated[Any, Depends(readable)]


@router.get("/{file_id}", response_model=FileOut, responses=READ_ANSWERS, summary="One file")
async def get_file(file: ReadableDep) -> FileOut:
    return file_out(file)


@router.get(
    "/{file_id}/content",
    responses={
        200: {"content": {"application/octet-stream": {}}, "description": "The bytes."},
        307: {"description": "S3: a presigned URL valid for a few minutes."},
        **READ_ANSWERS,
    },
    response_class=Response,
    summary="Download a file",
)
async def download(file: ReadableDep, services: ServicesDep) -> Response:
    """Access is checked on every download; on S3 the answer is a short-lived presigned URL."""
    return await _serve(
        services, file.storage_key, file.sha256, file.filename, file.content_type, "attachment"
    )


@router.get(
    "/{file_id}/thumbnail",
    responses={
        200: {"content": {"image/jpeg": {}}, "description": "The thumbnail (JPEG)."},
        307: {"description": "S3: a presigned URL valid for a few minutes."},
        404: {
            "description": "No such file or not yours to read (`code` not_found); or no "
            "thumbnail (`code` thumbnail_not_ready): not an image, or not rendered yet (a job "
            "renders it moments after the upload)."
        },
        **STORAGE_503,
    },
    response_class=Response,
    summary="Download an image's thumbnail",
)
async def thumbnail(file: ReadableDep, services: ServicesDep) -> Response:
    """The same access as the file itself, checked on every download."""
    if not file.thumbnail_key:
        raise NoThumbnailError("No thumbnail for this file (yet).")
    stem = file.filename.rsplit(".", 1)[0]
    return await _serve(
        services,
        file.thumbnail_key,
        file.thumbnail_sha256,
        f"{stem}-thumbnail.jpg",
        "image/jpeg",
        "inline",
    )


async def _serve(
    services: ServicesDep,
    key: str,
    sha256: str,
    filename: str,
    content_type: str,
    disposition: str,
) -> Response:
    store = storage(services)
    url = await store.download_url(
        key,
        filename=filename,
        content_type=content_type,
        ttl_seconds=services.settings.files_url_ttl_seconds,
    )
    if url is not None:
        return RedirectResponse(url, status_code=307, headers={"Cache-Control": "no-store"})
    try:
        data = await store.get(key)
    except ObjectMissingError:
        raise NotFoundError("File not found.") from None
    if sha256_hex(data) != sha256:
        raise NotFoundError("File not found.")  # damaged on disk: never serve other bytes
    return Response(
        data,
        media_type=content_type,
        headers={
            "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(filename)}",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


@router.post(
    "/report-cards",
    response_model=FileOut,
    status_code=201,
    responses=DOCUMENT_ANSWERS,
    summary="Render a student's report card (PDF) from the published grades",
)
async def render_report_card(
    body: StudentIn,
    principal: CurrentPrincipalDep,
    render: Annotated[RenderReportCard, Depends(use_case(RenderReportCard, storage, records))],
) -> FileOut:
    """The student, guardians allowed to see grades, and institution administrators."""
    stored: StoredFile = await render(principal, body.student_id)
    return file_out(stored)


@router.post(
    "/record-packages",
    response_model=FileOut,
    status_code=201,
    responses=DOCUMENT_ANSWERS,
    summary="Produce everything held about a student, as a zip (institution administrators)",
)
async def produce_record_package(
    body: StudentIn,
    principal: CurrentPrincipalDep,
    produce: Annotated[
        ProduceRecordPackage, Depends(use_case(ProduceRecordPackage, storage, records))
    ],
) -> FileOut:
    """JSON + CSV of every record type, every file kept about the student, a report card and
    a manifest; each production is kept and logged (the audit)."""
    stored = await produce(principal, body.student_id)
    return file_out(stored)


@router.post(
    "/statements",
    response_model=FileOut,
    status_code=201,
    responses=DOCUMENT_ANSWERS,
    summary="Render a student's statement of account (PDF)",
)
async def render_statement(
    body: StudentIn,
    principal: CurrentPrincipalDep,
    render: Annotated[RenderStatement, Depends(use_case(RenderStatement, storage, records))],
) -> FileOut:
    """Accountants, institution administrators and guardians allowed to see the student's
    bills: each issued invoice with what is paid and open, each payment, the balance due."""
    return file_out(await render(principal, body.student_id))
