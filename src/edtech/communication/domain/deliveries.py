"""Delivery receipts: when a message counts as delivered to a participant."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from edtech.communication.domain.events import MessageDelivered


@dataclass(frozen=True)
class Reached:
    """A message was handed to one connection of `person_id` at `at`."""

    institution_id: uuid.UUID
    conversation_id: uuid.UUID
    message_id: uuid.UUID
    seq: int
    sender_id: uuid.UUID
    person_id: uuid.UUID
    at: datetime

    def receipt(self) -> MessageDelivered:
        return MessageDelivered(
            institution_id=self.institution_id,
            occurred_at=self.at,
            conversation_id=self.conversation_id,
            message_id=self.message_id,
            seq=self.seq,
            person_id=self.person_id,
            delivered_at=self.at,
        )


def receipts_owed(reached: Iterable[Reached]) -> list[Reached]:
    """A message is delivered to a participant other than its sender the first time it reaches
    one of their connections (any device): one receipt per message and person, the earliest.
    Reaching the sender's own devices delivers nothing."""
    first: dict[tuple[uuid.UUID, uuid.UUID], Reached] = {}
    for r in reached:
        if r.person_id == r.sender_id:
            continue
        key = (r.message_id, r.person_id)
        if key not in first or r.at < first[key].at:
            first[key] = r
    return list(first.values())
