"""What the files use cases need from outside: the store, the node's limits, the other
slices' records (bound to the unit of work's session), and mail."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from edtech.files.infrastructure.records import SliceRecords
from edtech.platform.mail import Mail
from edtech.platform.storage import ObjectStorage

__all__ = ["FileLimits", "Mail", "ObjectStorage", "RecordsFactory"]

RecordsFactory = Callable[[AsyncSession], SliceRecords]


@dataclass(frozen=True)
class FileLimits:
    """`EDTECH_FILES_MAX_BYTES` and `EDTECH_FILES_QUOTA_BYTES`."""

    max_bytes: int
    quota_bytes: int
