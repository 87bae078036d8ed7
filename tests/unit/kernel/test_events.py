"""Domain events: JSON payloads and aggregates that record them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import ClassVar

import pytest

from edtech.kernel.events import Aggregate, DomainEvent, to_jsonable


@dataclass(frozen=True, kw_only=True)
class ThingHappened(DomainEvent):
    type: ClassVar[str] = "test.thing_happened"
    thing_id: uuid.UUID
    amount: Decimal
    on: date


def test_payload_is_json_ready_and_leaves_out_envelope_fields() -> None:
    tid = uuid.uuid4()
    event = ThingHappened(
        institution_id=uuid.uuid4(),
        occurred_at=datetime(2026, 1, 2, tzinfo=UTC),
        thing_id=tid,
        amount=Decimal("1.50"),
        on=date(2026, 1, 2),
    )
    assert event.payload() == {"thing_id": str(tid), "amount": "1.50", "on": "2026-01-02"}


def test_to_jsonable_refuses_unknown_types() -> None:
    with pytest.raises(TypeError):
        to_jsonable(object())


def test_aggregate_hands_over_its_events_once() -> None:
    agg = Aggregate()
    event = ThingHappened(
        institution_id=uuid.uuid4(),
        occurred_at=datetime.now(UTC),
        thing_id=uuid.uuid4(),
        amount=Decimal(1),
        on=date.today(),
    )
    agg.record(event)
    assert agg.pull_events() == [event]
    assert agg.pull_events() == []
