"""Files: what a stored file is, what may be uploaded, and who may read it.

Pure rules (no I/O): the type of a file is judged from its first bytes, never from the name or
the header a client sends; a name is a plain file name, never a path; each category of file
says which staff roles and which guardian right let a person read it.
"""

from __future__ import annotations

import enum
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import datetime

from edtech.kernel.errors import FieldProblem, InvalidError, NotFoundError
from edtech.kernel.principal import Principal, Role

__all__ = [
    "DRAFT",
    "READ_RULES",
    "THUMBNAIL_MAX_PIXELS",
    "THUMBNAIL_TYPES",
    "UPLOAD_TYPES",
    "Category",
    "FieldProblem",
    "FileTooLargeError",
    "NoThumbnailError",
    "QuotaExceededError",
    "ReadRule",
    "StoredFile",
    "UploadRefusedError",
    "check_upload",
    "clean_filename",
    "may_read",
    "sniff",
    "storage_key",
    "thumbnail_key",
]

MAX_NAME_LENGTH = 200


class Category(enum.StrEnum):
    """Why a file exists; it decides who may read it and how long it is kept."""

    EXCUSE_NOTE = "excuse_note"
    """A guardian's evidence for an absence note (a doctor's note)."""
    RECEIPT = "receipt"
    """The PDF receipt of a payment."""
    REPORT_CARD = "report_card"
    """The PDF report card of a student."""
    RECORD_PACKAGE = "record_package"
    """Everything held about one student, as a zip (FERPA / GDPR access requests)."""
    STATEMENT = "statement"
    """The PDF statement of account of a student's payer accounts."""
    INVOICE = "invoice"
    """The PDF of an issued invoice, rendered again when its state changes."""
    ATTENDANCE_LETTER = "attendance_letter"
    """A letter to a chronically absent student's family, from the institution's template."""
    ATTACHMENT = "attachment"
    """A file a chat message or an announcement carries — or will: uploaded by its sender and
    not yet sent (`record_type` `draft`), then claimed by what carries it."""


DRAFT = "draft"
"""The record type of an attachment nothing carries yet (its record id is its uploader)."""
THUMBNAIL_TYPES = frozenset({"image/png", "image/jpeg", "image/webp"})
"""Uploads of these types get a thumbnail, rendered by a job after the upload."""
THUMBNAIL_MAX_PIXELS = 320
"""The thumbnail's longer side, at most."""


def thumbnail_key(key: str) -> str:
    """A thumbnail is kept beside its original, under the original's opaque key."""
    return f"{key}.thumb"


@dataclass(frozen=True)
class ReadRule:
    """Who may read a file of a category: staff holding one of `staff` roles; a guardian whose
    link to one of the file's students allows `guardian_flag` (and has no custody bar); the
    student themselves when `student_self`."""

    staff: frozenset[Role]
    guardian_flag: str | None
    student_self: bool = False


READ_RULES: dict[Category, ReadRule] = {
    Category.EXCUSE_NOTE: ReadRule(
        frozenset({Role.ATTENDANCE_OFFICER, Role.INSTITUTION_ADMIN}), "can_view_attendance"
    ),
    Category.RECEIPT: ReadRule(
        frozenset({Role.ACCOUNTANT, Role.INSTITUTION_ADMIN}), "can_view_billing"
    ),
    Category.REPORT_CARD: ReadRule(
        frozenset({Role.INSTITUTION_ADMIN}), "can_view_grades", student_self=True
    ),
    Category.RECORD_PACKAGE: ReadRule(frozenset({Role.INSTITUTION_ADMIN}), None),
    Category.STATEMENT: ReadRule(
        frozenset({Role.ACCOUNTANT, Role.INSTITUTION_ADMIN}), "can_view_billing"
    ),
    Category.INVOICE: ReadRule(
        frozenset({Role.ACCOUNTANT, Role.INSTITUTION_ADMIN}), "can_view_billing"
    ),
    Category.ATTENDANCE_LETTER: ReadRule(
        frozenset({Role.ATTENDANCE_OFFICER, Role.INSTITUTION_ADMIN}), "can_view_attendance"
    ),
    # Nobody by role or link: an attachment is read by whoever may read what carries it (the
    # communication slice answers that), a draft by its uploader alone.
    Category.ATTACHMENT: ReadRule(frozenset(), None),
}

# What may be uploaded, by the type sniffed from the bytes, with the names it may carry.
UPLOAD_TYPES: dict[str, tuple[str, ...]] = {
    "application/pdf": (".pdf",),
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/webp": (".webp",),
}


def sniff(data: bytes) -> str | None:
    """The content type the bytes themselves announce (magic numbers), or None if unknown."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"PK\x03\x04"):
        return "application/zip"
    if data.startswith(b"MZ"):
        return "application/x-msdownload"
    return None


def clean_filename(name: str) -> str:
    """The name a file is shown and downloaded under: a plain name, never a path."""
    name = unicodedata.normalize("NFC", name.strip())
    problem = None
    if not name:
        problem = "give the file a name"
    elif len(name) > MAX_NAME_LENGTH:
        problem = f"at most {MAX_NAME_LENGTH} characters"
    elif "/" in name or "\\" in name or name in (".", "..") or name.startswith("."):
        problem = "a file name, not a path"
    elif any(unicodedata.category(c).startswith("C") for c in name):
        problem = "no control characters"
    if problem:
        raise InvalidError("Invalid file name.", [FieldProblem(("file",), problem)])
    return name


class UploadRefusedError(InvalidError):
    """The bytes are not a file we accept (unknown, executable, or not what the name says)."""

    code = "file_type_refused"


class NoThumbnailError(NotFoundError):
    """The file has no thumbnail: not an image, not rendered yet, or not readable as one."""

    code = "thumbnail_not_ready"


class FileTooLargeError(InvalidError):
    """Over the node's upload limit (`EDTECH_FILES_MAX_BYTES`)."""

    code = "file_too_large"


class QuotaExceededError(InvalidError):
    """The institution keeps as many bytes as it may (`EDTECH_FILES_QUOTA_BYTES`)."""

    code = "quota_exceeded"


def check_upload(filename: str, data: bytes, max_bytes: int) -> tuple[str, str]:
    """The clean name and sniffed type of an upload, or the reason it is refused."""
    name = clean_filename(filename)
    if not data:
        raise InvalidError("The file is empty.", [FieldProblem(("file",), "zero bytes")])
    if len(data) > max_bytes:
        raise FileTooLargeError(
            f"The file is larger than {max_bytes} bytes.",
            [FieldProblem(("file",), f"at most {max_bytes} bytes")],
        )
    kind = sniff(data)
    if kind not in UPLOAD_TYPES:
        raise UploadRefusedError(
            "Only PDF, PNG, JPEG and WebP files are accepted (judged from the content).",
            [FieldProblem(("file",), "not a PDF or an image")],
        )
    if not name.lower().endswith(UPLOAD_TYPES[kind]):
        raise UploadRefusedError(
            "The file's name does not match its content.",
            [FieldProblem(("file",), f"the content is {kind}; name it {UPLOAD_TYPES[kind][0]}")],
        )
    return name, kind


def storage_key(institution_id: uuid.UUID, file_id: uuid.UUID) -> str:
    """Opaque and tenant-prefixed: nothing of the name or the person in it."""
    return f"{institution_id}/{file_id}"


@dataclass(eq=False, kw_only=True)
class StoredFile:
    """One file kept for the institution: what it is attached to, its checksum, who made it.

    `record_type`/`record_id` name what it belongs to (an excuse, a payment, a student);
    `subject_ids` are the students it is about (who may read it follows from them).
    """

    id: uuid.UUID
    institution_id: uuid.UUID
    category: Category
    record_type: str
    record_id: uuid.UUID
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    storage_key: str
    created_by: uuid.UUID | None
    created_at: datetime
    thumbnail_key: str | None = None
    thumbnail_size_bytes: int | None = None
    thumbnail_sha256: str | None = None

    @property
    def object_keys(self) -> list[str]:
        """Every object the file keeps in the store: its bytes and its thumbnail."""
        return [self.storage_key] + ([self.thumbnail_key] if self.thumbnail_key else [])

    @property
    def wants_thumbnail(self) -> bool:
        return self.content_type in THUMBNAIL_TYPES and self.thumbnail_key is None


def may_read(
    principal: Principal,
    category: Category,
    subject_ids: frozenset[uuid.UUID],
    guardian_rights: dict[uuid.UUID, frozenset[str]],
) -> bool:
    """The read rule of `category` for a principal of the file's institution.

    `guardian_rights` maps each of the principal's children (custody-restricted links left out)
    to the rights their link grants."""
    rule = READ_RULES[category]
    if principal.roles & rule.staff:
        return True
    if rule.student_self and principal.person_id in subject_ids:
        return True
    if rule.guardian_flag is None:
        return False
    return any(rule.guardian_flag in guardian_rights.get(s, frozenset()) for s in subject_ids)
