"""Direct uploads: a slot the client fills itself (a presigned PUT), confirmed by the node.

A client declares what it will send (name, type, size, SHA-256) and gets an upload slot that
expires; it sends the bytes straight to the store, then confirms. Until it is confirmed the
object is in quarantine: no file row points at it, nobody can list or download it. On
confirmation the node judges the bytes themselves — the declared size and checksum, the type
from the first bytes, the malware scan where one is set up — and only then is it a file.
"""

from __future__ import annotations

import enum
import re
import uuid
from dataclasses import dataclass
from datetime import datetime

from edtech.files.domain import (
    UPLOAD_TYPES,
    Category,
    FileTooLargeError,
    UploadRefusedError,
    clean_filename,
    sniff,
)
from edtech.kernel.errors import ConflictError, FieldProblem, InvalidError

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class UploadState(enum.StrEnum):
    PENDING = "pending"
    """Slot handed out; the bytes may have arrived but are quarantined."""
    CONFIRMED = "confirmed"
    """The bytes passed every check and are a stored file (same id)."""
    REFUSED = "refused"
    """The bytes failed a check, or the slot expired; its object is deleted."""


class UploadExpiredError(ConflictError):
    """The slot's URL has expired: its bytes are refused (answered 410)."""

    code = "upload_expired"


class UploadMismatchError(InvalidError):
    """The bytes that arrived are not the ones declared (size or checksum)."""

    code = "upload_mismatch"


class UploadMissingError(ConflictError):
    """Confirmed before any bytes arrived."""

    code = "upload_missing"


def declare_upload(
    filename: str, content_type: str, size_bytes: int, sha256: str, max_bytes: int
) -> str:
    """The clean name of a declared upload, or why the declaration is refused."""
    name = clean_filename(filename)
    if size_bytes <= 0:
        raise InvalidError("The file is empty.", [FieldProblem(("size_bytes",), "zero bytes")])
    if size_bytes > max_bytes:
        raise FileTooLargeError(
            f"The file is larger than {max_bytes} bytes.",
            [FieldProblem(("size_bytes",), f"at most {max_bytes} bytes")],
        )
    if content_type not in UPLOAD_TYPES:
        raise UploadRefusedError(
            "Only PDF, PNG, JPEG and WebP files are accepted.",
            [FieldProblem(("content_type",), "not a PDF or an image")],
        )
    if not name.lower().endswith(UPLOAD_TYPES[content_type]):
        raise UploadRefusedError(
            "The file's name does not match its type.",
            [FieldProblem(("filename",), f"name it {UPLOAD_TYPES[content_type][0]}")],
        )
    if not _SHA256.fullmatch(sha256):
        raise InvalidError(
            "Give the file's SHA-256.", [FieldProblem(("sha256",), "64 lowercase hex digits")]
        )
    return name


@dataclass(eq=False, kw_only=True)
class Upload:
    """One upload slot. Its id becomes the stored file's id; its key is the file's key."""

    id: uuid.UUID
    institution_id: uuid.UUID
    category: Category
    record_type: str
    record_id: uuid.UUID
    subject_ids: list[str]
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    storage_key: str
    created_by: uuid.UUID
    created_at: datetime
    expires_at: datetime
    state: UploadState = UploadState.PENDING
    decided_at: datetime | None = None
    reason: str | None = None

    @property
    def subjects(self) -> frozenset[uuid.UUID]:
        return frozenset(uuid.UUID(s) for s in self.subject_ids)

    def check_open(self, now: datetime) -> None:
        """A slot is confirmed once, before it expires. Its URL is dead after `expires_at`
        and so is the slot: bytes sent after that — which a store may not check (moto does
        not) — can never become a file, because their confirmation comes later still."""
        if self.state is not UploadState.PENDING:
            raise ConflictError(f"This upload is already {self.state.value}.")
        if now >= self.expires_at:
            raise UploadExpiredError(
                "The upload URL has expired: ask for a new one and send the file again."
            )

    def check_arrived(self, size_bytes: int) -> None:
        """What the store holds has the declared size (before reading it)."""
        if size_bytes != self.size_bytes:
            raise UploadMismatchError(
                "The file that arrived is not the one declared.",
                [FieldProblem(("size_bytes",), f"declared {self.size_bytes}, got {size_bytes}")],
            )

    def check_bytes(self, data: bytes, sha256: str) -> None:
        """The bytes are the declared ones, and of the declared type judged by themselves."""
        self.check_arrived(len(data))
        if sha256 != self.sha256:
            raise UploadMismatchError(
                "The file that arrived is not the one declared.",
                [FieldProblem(("sha256",), "the checksum differs")],
            )
        if sniff(data) != self.content_type:
            raise UploadRefusedError(
                "The file's content is not what was declared (judged from the content).",
                [FieldProblem(("content_type",), f"declared {self.content_type}")],
            )

    def confirm(self, now: datetime) -> None:
        self.state, self.decided_at = UploadState.CONFIRMED, now

    def refuse(self, now: datetime, reason: str) -> None:
        self.state, self.decided_at, self.reason = UploadState.REFUSED, now, reason[:200]
