"""Domain events and the aggregate base that records them.

An aggregate records past-tense events while it changes; the unit of work collects them from
every aggregate it saw and commits them in the same transaction as the change itself.
"""

from __future__ import annotations

import dataclasses
import enum
import itertools
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar


@dataclasses.dataclass(frozen=True, kw_only=True)
class DomainEvent:
    """Something that happened in the domain, named in the past tense.

    `type` is the public event type (``attendance.scan_recorded``): part of the channel
    contract, so renaming it is a versioned change.
    """

    type: ClassVar[str] = "event"
    institution_id: uuid.UUID
    occurred_at: datetime

    _not_in_payload: ClassVar[tuple[str, ...]] = ()
    """Fields that route the event but are not part of its payload (its recipients)."""

    def payload(self) -> dict[str, Any]:
        """The event's fields as JSON-ready data (ids and datetimes as strings)."""
        return {name: to_jsonable(getattr(self, name)) for name in _payload_fields(type(self))}


_FIELDS: dict[type, tuple[str, ...]] = {}


def _payload_fields(kind: type[DomainEvent]) -> tuple[str, ...]:
    """An event class's payload fields (all but `institution_id`, `occurred_at` and what the
    class leaves out in `_not_in_payload`), found once per class."""
    found = _FIELDS.get(kind)
    if found is None:
        left_out = {"institution_id", "occurred_at", *kind._not_in_payload}
        found = tuple(f.name for f in dataclasses.fields(kind) if f.name not in left_out)
        _FIELDS[kind] = found
    return found


_PLAIN = frozenset({str, int, float, bool, type(None)})


def to_jsonable(value: Any) -> Any:
    """Turn ids, datetimes, decimals, enums, dataclasses and containers into JSON types."""
    kind = type(value)  # the common exact types first: an event's payload is mostly these
    if kind in _PLAIN:
        return value
    if kind is dict:
        return {k if type(k) is str else str(k): to_jsonable(v) for k, v in value.items()}
    if kind is list or kind is tuple:
        return [to_jsonable(v) for v in value]
    if kind is uuid.UUID:
        return str(value)
    return _jsonable(value)


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return to_jsonable(value.value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in value]
    raise TypeError(f"cannot turn {type(value).__name__} into JSON")


_raise_order = itertools.count()
"""Stamps every recorded event so events of several aggregates keep the order they were raised."""


class Aggregate:
    """Base of aggregates: a consistency boundary that records the events it raises.

    Events live in the instance ``__dict__`` rather than a dataclass field, so aggregates
    loaded by the ORM (which skips ``__init__``) can record events too.
    """

    def record(self, event: DomainEvent) -> None:
        self.__dict__.setdefault("_pending_events", []).append((next(_raise_order), event))

    def pull_stamped_events(self) -> list[tuple[int, DomainEvent]]:
        """Hand over the recorded events with their raise stamps, and forget them."""
        stamped: list[tuple[int, DomainEvent]] = self.__dict__.pop("_pending_events", [])
        return stamped

    def pull_events(self) -> list[DomainEvent]:
        """Hand over the recorded events and forget them."""
        return [event for _, event in self.pull_stamped_events()]
