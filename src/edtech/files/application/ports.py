"""What the files use cases need from outside: the store, the node's limits, the other
slices' records (bound to the unit of work's session), mail, the malware scanner and the
signer of upload URLs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from edtech.files.infrastructure.records import SliceRecords
from edtech.files.infrastructure.scanner import MalwareScanner
from edtech.files.infrastructure.signing import UploadSigner
from edtech.platform.mail import Mail
from edtech.platform.storage import ObjectStorage

__all__ = [
    "FileLimits",
    "Mail",
    "MalwareScanner",
    "ObjectStorage",
    "RecordsFactory",
    "UploadSigner",
]

RecordsFactory = Callable[[AsyncSession], SliceRecords]


@dataclass(frozen=True)
class FileLimits:
    """`EDTECH_FILES_MAX_BYTES`, `EDTECH_FILES_QUOTA_BYTES`, `EDTECH_FILES_UPLOAD_TTL_SECONDS`."""

    max_bytes: int
    quota_bytes: int
    upload_ttl_seconds: int = 900
