"""Events the notifications slice raises; their `type` strings are part of the channel contract."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import ClassVar

from edtech.kernel.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class BatchProgressed(DomainEvent):
    """A recipient of a batch (an announcement's notifications) was reached, or a channel to
    them settled: the sender's live counts. `percent` is reached ÷ total."""

    type: ClassVar[str] = "notifications.progress"
    batch_id: uuid.UUID
    sender_id: uuid.UUID
    total: int
    reached: int
    percent: float
    channels: dict[str, dict[str, int]]
    """Per channel: how many are `sent`, `failed`, `skipped`, `pending`."""

    _not_in_payload: ClassVar[tuple[str, ...]] = ("sender_id",)
