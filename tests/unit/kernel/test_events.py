"""Domain events: JSON payloads and aggregates that record them."""

from __future__ import annotations

import collections
import enum
import json
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


class Colour(enum.StrEnum):
    RED = "red"


class Size(enum.Enum):
    BIG = 3


@dataclass(frozen=True, kw_only=True)
class Routed(DomainEvent):
    type: ClassVar[str] = "test.routed"
    _not_in_payload: ClassVar[tuple[str, ...]] = ("recipients",)
    thing_id: uuid.UUID
    recipients: tuple[uuid.UUID, ...] = ()


@dataclass(frozen=True, kw_only=True)
class RoutedMore(Routed):
    note: str


def test_a_routing_field_is_left_out_of_the_payload_and_of_its_subclasses() -> None:
    tid, who = uuid.uuid4(), uuid.uuid4()
    at = datetime(2026, 1, 2, tzinfo=UTC)
    event = Routed(institution_id=tid, occurred_at=at, thing_id=tid, recipients=(who,))
    assert event.payload() == {"thing_id": str(tid)}
    more = RoutedMore(institution_id=tid, occurred_at=at, thing_id=tid, recipients=(who,), note="x")
    assert more.payload() == {"thing_id": str(tid), "note": "x"}


def test_to_jsonable_turns_nested_values_of_every_kind_into_json_types() -> None:
    tid = uuid.uuid4()
    value = {
        "plain": ["a", 1, 2.5, True, None],
        "ids": (tid,),
        1: {"on": date(2026, 1, 2), "at": datetime(2026, 1, 2, 3, tzinfo=UTC)},
        "money": Decimal("1.50"),
        "colour": Colour.RED,
        "size": Size.BIG,
        "set": frozenset({"only"}),
        "ordered": collections.OrderedDict([(tid, 1)]),
        "thing": ThingHappened(
            institution_id=tid, occurred_at=datetime(2026, 1, 2, tzinfo=UTC),
            thing_id=tid, amount=Decimal(2), on=date(2026, 1, 3),
        ),
    }  # fmt: skip
    got = to_jsonable(value)
    assert got == {
        "plain": ["a", 1, 2.5, True, None],
        "ids": [str(tid)],
        "1": {"on": "2026-01-02", "at": "2026-01-02T03:00:00+00:00"},
        "money": "1.50",
        "colour": "red",
        "size": 3,
        "set": ["only"],
        "ordered": {str(tid): 1},
        "thing": {
            "institution_id": str(tid),
            "occurred_at": "2026-01-02T00:00:00+00:00",
            "thing_id": str(tid),
            "amount": "2",
            "on": "2026-01-03",
        },
    }
    assert json.loads(json.dumps(got)) == got


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
