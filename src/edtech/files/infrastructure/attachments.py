"""The files slice's side of attachments: it claims uploaded files for a chat message or an
announcement (communication's `AttachmentClaims` port, a node component)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import NoReturn

from sqlalchemy.ext.asyncio import AsyncSession

from edtech.communication.public import Attachment, AttachmentClaims
from edtech.files.domain import DRAFT, Category
from edtech.files.infrastructure.repository import SqlAlchemyFiles, SqlAlchemyUploads
from edtech.kernel.errors import FieldProblem, InvalidError
from edtech.kernel.principal import Principal


class AttachmentRefusedError(InvalidError):
    """A file named as an attachment cannot be attached (not yours, in quarantine, taken)."""

    code = "attachment_refused"


class FileAttachmentClaims(AttachmentClaims):
    """Claims attachments in the poster's transaction: each id must be an attachment the
    poster uploaded in their institution and that nothing carries yet; a direct upload in
    quarantine (not confirmed, not scanned) is not one. The first refusal names its file
    (`attachment_ids[i]`) and the whole post fails."""

    async def claim(
        self,
        session: AsyncSession,
        principal: Principal,
        file_ids: Sequence[uuid.UUID],
        record_type: str,
        record_id: uuid.UUID,
    ) -> tuple[Attachment, ...]:
        if record_type not in ("message", "announcement"):
            raise ValueError(f"nothing of type {record_type!r} carries files")
        found = await SqlAlchemyFiles(session).for_claim(principal.institution_id, file_ids)
        missing = [i for i in file_ids if i not in found]
        quarantined = (
            await SqlAlchemyUploads(session).pending_among(principal.institution_id, missing)
            if missing
            else set()
        )
        out: list[Attachment] = []
        for n, file_id in enumerate(file_ids):
            f = found.get(file_id)
            if f is None:
                refuse(
                    n,
                    "still in quarantine: confirm the upload first"
                    if file_id in quarantined
                    else "not a file you uploaded",
                )
            elif f.category is not Category.ATTACHMENT or f.created_by != principal.person_id:
                refuse(n, "not a file you uploaded")
            elif f.record_type != DRAFT:
                refuse(n, "already attached to something else")
            else:
                f.record_type, f.record_id = record_type, record_id
                out.append(Attachment(f.id, f.filename, f.content_type, f.size_bytes))
        return tuple(out)


def refuse(n: int, problem: str) -> NoReturn:
    raise AttachmentRefusedError(
        "this file cannot be attached", [FieldProblem(("attachment_ids", n), problem)]
    )
