"""Attachments: files uploaded beforehand that a message or an announcement carries.

The files themselves belong to the files slice (bytes, type from the content, scan, quota,
thumbnails); a message or an announcement keeps what it shows of each — id, name, type, size —
fixed when it was posted. Who may download one follows from who may read what carries it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from edtech.kernel.errors import FieldProblem, InvalidError

MAX_ATTACHMENTS = 10
"""Files one message or announcement may carry."""

THUMBNAILED_TYPES = frozenset({"image/png", "image/jpeg", "image/webp"})
"""Content types the files slice renders a thumbnail for."""


@dataclass(frozen=True)
class Attachment:
    """What a message shows of one attached file."""

    file_id: uuid.UUID
    filename: str
    content_type: str
    size_bytes: int

    @property
    def is_image(self) -> bool:
        return self.content_type in THUMBNAILED_TYPES


def check_attachment_ids(
    ids: Sequence[uuid.UUID], loc: tuple[str | int, ...] = ("attachment_ids",)
) -> tuple[uuid.UUID, ...]:
    """At most `MAX_ATTACHMENTS` files, each once."""
    if len(ids) > MAX_ATTACHMENTS:
        raise InvalidError(
            f"at most {MAX_ATTACHMENTS} files per message",
            [FieldProblem(loc, f"at most {MAX_ATTACHMENTS} (got {len(ids)})", "too_long")],
        )
    seen: set[uuid.UUID] = set()
    for i, file_id in enumerate(ids):
        if file_id in seen:
            raise InvalidError(
                "the same file is attached twice", [FieldProblem((*loc, i), "given twice")]
            )
        seen.add(file_id)
    return tuple(ids)


def attachment_view(a: Attachment) -> dict[str, object]:
    """An attachment as clients see it (frames and REST): where to download it and, for an
    image, its thumbnail — both routes of the files slice, which check access again."""
    return {
        "file_id": a.file_id,
        "filename": a.filename,
        "content_type": a.content_type,
        "size_bytes": a.size_bytes,
        "download": f"/api/v1/files/{a.file_id}/content",
        "thumbnail": f"/api/v1/files/{a.file_id}/thumbnail" if a.is_image else None,
    }
