"""Routes of direct uploads: ask for a slot, send the bytes straight to the store, confirm.

1. `POST /api/v1/files/excuse-notes/{excuse_id}/uploads` with the file's name, type, size and
   SHA-256 → a slot: `method`, `url` and the `headers` to send with the bytes (on S3 a
   presigned PUT whose length, type and checksum are signed; on a directory the node's own
   signed route), valid until `expires_at`.
2. `PUT` the bytes to `url` with those headers.
3. `POST /api/v1/files/uploads/{upload_id}/confirm` → the file, once the node has judged the
   bytes (size, checksum, type from the content, malware scan). Until then they are in
   quarantine; after `expires_at` the slot is dead (410 `upload_expired`).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from edtech.files.api import (
    ATTACHMENT_ANSWERS,
    UPLOAD_ANSWERS,
    AttachableDep,
    FileOut,
    file_out,
    upload_statuses,
)
from edtech.files.application.confirm_upload import ConfirmUpload
from edtech.files.application.receive_upload import ReceiveUpload
from edtech.files.application.request_upload import RequestUpload, UploadDeclaration
from edtech.files.wiring import limits, records, scanner, signer, storage
from edtech.identity.public import CurrentPrincipalDep
from edtech.kernel.principal import Principal
from edtech.platform.http.deps import ServicesDep, use_case

router = APIRouter(prefix="/api/v1/files", tags=["files"])


class UploadIn(BaseModel):
    """What will be sent: the store is told to take exactly these bytes."""

    filename: str = Field(max_length=400)
    content_type: str = Field(
        max_length=100, description="application/pdf, image/png, image/jpeg or image/webp."
    )
    size_bytes: int = Field(ge=0)
    sha256: str = Field(max_length=64, description="SHA-256 of the bytes, lowercase hex.")


class UploadSlotOut(BaseModel):
    """Send the bytes with `method` to `url`, with exactly `headers`, before `expires_at`;
    then POST to `confirm`."""

    id: uuid.UUID
    method: str
    url: str = Field(
        description="A presigned S3 URL, or a path on this server (a directory store)."
    )
    headers: dict[str, str]
    expires_at: datetime
    confirm: str


EXPIRED_410: dict[int | str, dict[str, Any]] = {
    410: {
        "description": "The upload URL has expired (`code` upload_expired): ask for a new one.",
        "content": {"application/problem+json": {}},
    }
}


@router.post(
    "/excuse-notes/{excuse_id}/uploads",
    response_model=UploadSlotOut,
    status_code=201,
    responses=UPLOAD_ANSWERS,
    summary="Ask for a direct-upload slot for a file to attach to an absence note",
)
async def request_upload(
    excuse_id: AttachableDep,
    body: UploadIn,
    principal: CurrentPrincipalDep,
    request_slot: Annotated[
        RequestUpload, Depends(use_case(RequestUpload, storage, limits, records, signer))
    ],
) -> UploadSlotOut:
    """Who may attach to the note (its author, the attendance office) may declare a file and
    send it straight to the store. Over the size limit or the quota is 413, a type we do not
    take 415 — judged again from the bytes on confirmation."""
    return await _slot(request_slot, principal, excuse_id, body)


@router.post(
    "/attachments/uploads",
    response_model=UploadSlotOut,
    status_code=201,
    responses=ATTACHMENT_ANSWERS,
    summary="Ask for a direct-upload slot for a file to send with a message or announcement",
)
async def request_attachment_upload(
    body: UploadIn,
    principal: CurrentPrincipalDep,
    request_slot: Annotated[
        RequestUpload, Depends(use_case(RequestUpload, storage, limits, records, signer))
    ],
) -> UploadSlotOut:
    """As `POST /attachments`, with the bytes sent straight to the store. Until the upload is
    confirmed its bytes are in quarantine and cannot be attached."""
    return await _slot(request_slot, principal, None, body)


async def _slot(
    request_slot: RequestUpload,
    principal: Principal,
    excuse_id: uuid.UUID | None,
    body: UploadIn,
) -> UploadSlotOut:
    with upload_statuses():
        slot = await request_slot(
            principal,
            UploadDeclaration(
                excuse_id, body.filename, body.content_type, body.size_bytes, body.sha256
            ),
        )
    return UploadSlotOut(
        id=slot.upload.id,
        method=slot.target.method,
        url=slot.target.url,
        headers=slot.target.headers,
        expires_at=slot.upload.expires_at,
        confirm=f"/api/v1/files/uploads/{slot.upload.id}/confirm",
    )


@router.put(
    "/uploads/{upload_id}/content",
    status_code=204,
    responses={
        403: {"description": "Not a URL this server signed for this upload, or expired."},
        422: {"description": "Not the bytes declared (length or SHA-256)."},
    },
    summary="Send an upload's bytes (directory stores; the URL is the permission)",
)
async def receive_upload(
    upload_id: uuid.UUID,
    request: Request,
    services: ServicesDep,
    receive: Annotated[ReceiveUpload, Depends(use_case(ReceiveUpload, storage, signer))],
    expires: Annotated[int, Query()],
    signature: Annotated[str, Query(max_length=64)],
) -> Response:
    """The node's stand-in for a presigned PUT: no sign-in, the signed URL is the permission;
    it takes exactly the declared bytes once, until it expires."""
    data = bytearray()
    limit = services.settings.files_max_bytes
    async for chunk in request.stream():
        data += chunk
        if len(data) > limit:
            break
    await receive(upload_id, expires, signature, bytes(data))
    return Response(status_code=204)


@router.post(
    "/uploads/{upload_id}/confirm",
    response_model=FileOut,
    status_code=201,
    responses={**UPLOAD_ANSWERS, **EXPIRED_410},
    summary="Confirm a direct upload: the node judges the bytes and keeps the file",
)
async def confirm_upload(
    upload_id: uuid.UUID,
    principal: CurrentPrincipalDep,
    confirm: Annotated[
        ConfirmUpload, Depends(use_case(ConfirmUpload, storage, limits, records, scanner))
    ],
) -> FileOut:
    """Only the person who asked for the slot. The bytes must have arrived (409
    `upload_missing` otherwise — send them and confirm again), before the slot expired (410),
    with the declared size and SHA-256 (422 `upload_mismatch`), of the declared type judged
    from the content (415), clean to the malware scanner (422 `file_infected`; 503
    `scanner_unavailable` keeps them in quarantine to confirm later). Refused bytes are
    deleted."""
    with upload_statuses():
        stored = await confirm(principal, upload_id)
    return file_out(stored)
