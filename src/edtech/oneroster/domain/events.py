"""Events of a roster import running in the background: its progress and its outcome."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, ClassVar

from edtech.kernel.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class ImportProgressed(DomainEvent):
    """A background import moved on: it started, finished checking the package, or applied
    one file's records (`done` of `total` files)."""

    type: ClassVar[str] = "oneroster.import_progressed"
    import_id: uuid.UUID
    phase: str
    """`started`, `validated` or `applying`."""
    file: str | None = None
    done: int = 0
    total: int = 0


@dataclass(frozen=True, kw_only=True)
class ImportFinished(DomainEvent):
    """A background import ended: `succeeded` with its report (created, changed, ended,
    unchanged per entity; warnings), or `failed` with the problems that changed nothing."""

    type: ClassVar[str] = "oneroster.import_finished"
    import_id: uuid.UUID
    state: str
    report: dict[str, Any] | None = None
    problem: dict[str, Any] | None = field(default=None)
