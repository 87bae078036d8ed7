"""Delivery receipts: one per message and person, never to the sender, the earliest wins."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from edtech.communication.domain import Reached, receipts_owed

T0 = datetime(2026, 11, 26, 12, tzinfo=UTC)
INST, CONV = uuid.uuid4(), uuid.uuid4()
SENDER, TEACHER, OTHER = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()


def reached(message: uuid.UUID, person: uuid.UUID, seconds: int = 0, seq: int = 1) -> Reached:
    return Reached(INST, CONV, message, seq, SENDER, person, T0 + timedelta(seconds=seconds))


def test_a_message_reaching_the_senders_own_devices_is_not_delivered() -> None:
    assert receipts_owed([reached(uuid.uuid4(), SENDER)]) == []


def test_several_devices_and_channels_make_one_receipt_the_earliest() -> None:
    message = uuid.uuid4()
    owed = receipts_owed(
        [reached(message, TEACHER, 3), reached(message, TEACHER, 1), reached(message, TEACHER, 2)]
    )
    assert owed == [reached(message, TEACHER, 1)]


def test_each_recipient_and_message_gets_its_own_receipt() -> None:
    first, second = uuid.uuid4(), uuid.uuid4()
    owed = receipts_owed(
        [reached(first, TEACHER), reached(first, OTHER), reached(second, TEACHER, seq=2)]
    )
    assert {(r.message_id, r.person_id) for r in owed} == {
        (first, TEACHER),
        (first, OTHER),
        (second, TEACHER),
    }
    receipt = owed[0].receipt()
    assert receipt.type == "chat.delivered"
    assert (receipt.message_id, receipt.person_id, receipt.delivered_at) == (first, TEACHER, T0)
