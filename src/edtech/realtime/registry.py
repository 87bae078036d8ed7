"""The channel registry: channel types slices declare, and routes from domain events to channels.

A channel type is a name pattern (``attendance.session.{id}``) whose ``{params}`` are UUIDs, an
authorization rule in domain terms, whether it is durable (recoverable from the database for the
retention period) or ephemeral (hot history only), its hot-history size, whether it tracks
presence, the payload model of each event type it carries (for `channels/asyncapi.yaml`), and
optionally a `send` handler for commands over the socket.

A slice may also ask to hear when events of a type reach people (`observe_deliveries`): the hub
then hands it, in batches, each (event, person) it gave to a socket on the channel types
named. Channel types nobody observes pay nothing for it.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.kernel.clock import Clock
from edtech.kernel.events import DomainEvent
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork
from edtech.realtime.protocol import ChannelEvent

_SEGMENT = re.compile(r"^(?:\{(?P<param>[a-z_][a-z0-9_]*)\}|(?P<literal>[a-z][a-z0-9_]*))$")
MAX_CHANNEL_LENGTH = 200


@dataclass(frozen=True)
class AuthorizationContext:
    """What an authorization rule may use: a read-only session (for `Policy`) and the clock."""

    session: AsyncSession
    clock: Clock


Authorize = Callable[[Principal, Mapping[str, uuid.UUID], AuthorizationContext], Awaitable[bool]]
"""`authorize(principal, params, ctx) -> bool`: may this person subscribe to this channel?"""


@dataclass(frozen=True)
class SendContext:
    """What a `send` handler gets: the caller, the channel, and an open unit of work.

    The handler changes state through `uow` and must NOT commit: the hub commits the effect
    together with the reply it returns, keyed by the client's `id`, so a retry takes effect once.
    """

    principal: Principal
    channel: str
    params: Mapping[str, uuid.UUID]
    client_id: str
    uow: UnitOfWork
    clock: Clock


SendHandler = Callable[[SendContext, Any], Awaitable[Mapping[str, Any]]]
"""`send(ctx, body) -> reply data`; `body` is an instance of the channel type's `send_model`.

A channel type declared with `send_offset=True` gets `offset` added to the reply: the channel
offset of the command's first event on its channel (None if it put none there)."""


@dataclass(frozen=True)
class Delivered:
    """An event the hub handed to the socket of `principal` (live, or when recovering).

    Handed to the socket, not yet acknowledged by the client: a socket that dies right after
    may not have shown it.
    """

    event: ChannelEvent
    principal: Principal


@dataclass(frozen=True)
class DeliveryContext:
    """What a delivery observer gets besides the deliveries: fresh units of work and the clock.

    Units of work from `uow()` route their events to channels like any use case's."""

    uow: Callable[[], UnitOfWork]
    clock: Clock


DeliveryObserver = Callable[[Sequence[Delivered], DeliveryContext], Awaitable[None]]
"""`observer(batch, ctx)`: deliveries of the observed event types, a few at a time, shortly
after they happen (the hub debounces them); at most once per socket and frame, so an observer
that records must be idempotent itself (the same frame reaches several sockets and nodes)."""


@dataclass(frozen=True)
class ChannelType:
    """A kind of channel a slice offers, declared in the slice's `channels.py`."""

    pattern: str
    authorize: Authorize
    description: str
    durable: bool = True
    history_size: int = 200
    presence: bool = False
    events: Mapping[str, type[BaseModel]] = field(default_factory=dict)
    send: SendHandler | None = None
    send_model: type[BaseModel] | None = None
    send_offset: bool = False
    """The `send` reply carries `offset`: where the command's first event on this channel
    stands (None if it put none there), so a client can recognise its own event."""

    segments: tuple[str, ...] = field(init=False, repr=False, compare=False)
    """The pattern's dot-separated parts (split once: `match` runs for every event)."""

    def __post_init__(self) -> None:
        segments = self.pattern.split(".")
        object.__setattr__(self, "segments", tuple(segments))
        if not all(_SEGMENT.match(s) for s in segments) or not _SEGMENT.match(segments[0]):
            raise ValueError(f"bad channel pattern {self.pattern!r}")
        if segments[0].startswith("{"):
            raise ValueError(f"channel pattern must start with a literal: {self.pattern!r}")
        if (self.send is None) != (self.send_model is None):
            raise ValueError("declare `send` and `send_model` together")

    def match(self, name: str) -> dict[str, uuid.UUID] | None:
        """The params of `name` if it is a channel of this type, else None."""
        parts = name.split(".")
        segments = self.segments
        if len(parts) != len(segments) or parts[0] != segments[0]:
            return None
        params: dict[str, uuid.UUID] = {}
        for seg, part in zip(segments, parts, strict=True):
            if seg.startswith("{"):
                try:
                    value = uuid.UUID(part)
                except ValueError:
                    return None
                if str(value) != part:  # one spelling per channel: canonical lower-case
                    return None
                params[seg[1:-1]] = value
            elif seg != part:
                return None
        return params

    def name(self, **params: uuid.UUID) -> str:
        """The channel name for these params (``attendance.session.<uuid>``): a `ChannelName`,
        which remembers its type and params, so routing an event to it need not parse it back
        (an announcement routes to 10,000 inboxes)."""
        name = ".".join(str(params[s[1:-1]]) if s.startswith("{") else s for s in self.segments)
        return ChannelName(name, self, params)


class ChannelName(str):
    """A channel name made by its type's `name(...)`: the string, with the type and params it
    was made from (the registry trusts them only for a pattern it declared)."""

    __slots__ = ("channel_type", "params")

    channel_type: ChannelType
    params: Mapping[str, uuid.UUID]

    def __new__(
        cls, name: str, channel_type: ChannelType, params: Mapping[str, uuid.UUID]
    ) -> ChannelName:
        made = super().__new__(cls, name)
        made.channel_type = channel_type
        made.params = params
        return made


@dataclass(frozen=True)
class ResolvedChannel:
    name: str
    type: ChannelType
    params: Mapping[str, uuid.UUID]
    observers: Mapping[str, DeliveryObserver] | None = None
    """Delivery observers by event type, or None when nobody observes this channel type."""


@dataclass(frozen=True)
class Delivery:
    """One (channel, data) an event goes to; `data` None means `event.payload()`."""

    channel: str
    data: Mapping[str, Any] | None = None


Route = Callable[[Any], Iterable[str | Delivery]]
"""`route(event) -> channel names` (or `Delivery` when the data differs per channel)."""


Affected = Callable[[Any], Iterable[uuid.UUID]]
"""`affected(event) -> person ids` whose access to channels the event may have withdrawn."""


Closes = Callable[[Any], Iterable[uuid.UUID]]
"""`institutions(event) -> institution ids` every socket of which must close (a suspension)."""


class Registrar(Protocol):
    """What a slice's `channels.register(registry)` may call."""

    def add(self, channel_type: ChannelType) -> ChannelType: ...

    def route(self, event_class: type[DomainEvent], route: Route) -> None: ...

    def describe(self, pattern: str, events: Mapping[str, type[BaseModel]]) -> None: ...

    def reauthorize_on(self, event_class: type[DomainEvent], affected: Affected) -> None: ...

    def close_sockets_on(self, event_class: type[DomainEvent], institutions: Closes) -> None: ...

    def observe_deliveries(
        self, event_type: str, observer: DeliveryObserver, *, on: Iterable[str]
    ) -> None: ...


class ChannelRegistry:
    """Every channel type of the node and every event route, filled at start-up."""

    def __init__(self) -> None:
        self._types: dict[str, ChannelType] = {}
        self._routes: dict[type[DomainEvent], list[Route]] = {}
        self._observers: dict[str, dict[str, DeliveryObserver]] = {}
        self._reauthorize: dict[type[DomainEvent], list[Affected]] = {}
        self._closes: dict[type[DomainEvent], list[Closes]] = {}

    def add(self, channel_type: ChannelType) -> ChannelType:
        if channel_type.pattern in self._types:
            raise ValueError(f"channel type {channel_type.pattern!r} declared twice")
        for other in self._types.values():
            if _overlap(other, channel_type):
                raise ValueError(f"{channel_type.pattern!r} overlaps {other.pattern!r}")
        self._types[channel_type.pattern] = channel_type
        return channel_type

    def route(self, event_class: type[DomainEvent], route: Route) -> None:
        self._routes.setdefault(event_class, []).append(route)

    def describe(self, pattern: str, events: Mapping[str, type[BaseModel]]) -> None:
        """Declare the payload models of event types a slice routes to a channel type declared
        by someone else (the hub's `user.{id}` inbox): they belong to its contract too."""
        channel_type = self._types.get(pattern)
        if channel_type is None:
            raise LookupError(f"describing events of undeclared channel type {pattern!r}")
        for event_type, model in events.items():
            if channel_type.events.get(event_type, model) is not model:
                raise ValueError(f"{event_type} on {pattern!r} described twice")
        self._types[pattern] = replace(channel_type, events={**channel_type.events, **events})

    def reauthorize_on(self, event_class: type[DomainEvent], affected: Affected) -> None:
        """Once an event of `event_class` commits, every node checks again each subscription of
        the people `affected(event)` names, and ends those no longer allowed."""
        self._reauthorize.setdefault(event_class, []).append(affected)

    def affected_people(self, events: Iterable[DomainEvent]) -> frozenset[uuid.UUID]:
        """Whose subscriptions these events call into question (`reauthorize_on`)."""
        return frozenset(
            person
            for event in events
            for affected in self._reauthorize.get(type(event), ())
            for person in affected(event)
        )

    def close_sockets_on(self, event_class: type[DomainEvent], institutions: Closes) -> None:
        """Once an event of `event_class` commits, every node closes every socket of the
        institutions `institutions(event)` names (`realtime.tenants`)."""
        self._closes.setdefault(event_class, []).append(institutions)

    def closed_institutions(self, events: Iterable[DomainEvent]) -> frozenset[uuid.UUID]:
        return frozenset(
            institution
            for event in events
            for institutions in self._closes.get(type(event), ())
            for institution in institutions(event)
        )

    def observe_deliveries(
        self, event_type: str, observer: DeliveryObserver, *, on: Iterable[str]
    ) -> None:
        """Call `observer` with the deliveries of `event_type` on the channel types whose
        patterns are `on` (declared already; one observer per event type and channel type)."""
        for pattern in on:
            if pattern not in self._types:
                raise LookupError(f"observing deliveries on undeclared channel type {pattern!r}")
            observers = self._observers.setdefault(pattern, {})
            if event_type in observers:
                raise ValueError(f"deliveries of {event_type} on {pattern!r} observed twice")
            observers[event_type] = observer

    @property
    def types(self) -> Sequence[ChannelType]:
        return tuple(self._types.values())

    def resolve(self, name: str) -> ResolvedChannel | None:
        """The channel type and params of `name`, or None if no type matches."""
        if len(name) > MAX_CHANNEL_LENGTH:
            return None
        for channel_type in self._types.values():
            params = channel_type.match(name)
            if params is not None:
                observers = self._observers.get(channel_type.pattern)
                return ResolvedChannel(name, channel_type, params, observers)
        return None

    def _resolved(self, name: str) -> ResolvedChannel | None:
        """`resolve`, without parsing a name its declared type made (`ChannelName`)."""
        if isinstance(name, ChannelName):
            # Types are declared by pattern and never overlap: the one declared with the name's
            # pattern is the one `resolve` would find (perhaps with more events described).
            pattern = name.channel_type.pattern
            declared = self._types.get(pattern)
            if declared is not None:
                observers = self._observers.get(pattern)
                return ResolvedChannel(str(name), declared, dict(name.params), observers)
        return self.resolve(name)

    def deliveries(self, event: DomainEvent) -> list[tuple[ResolvedChannel, Mapping[str, Any]]]:
        """Where `event` goes and with what data; routes to undeclared channels are bugs."""
        out: list[tuple[ResolvedChannel, Mapping[str, Any]]] = []
        payload: Mapping[str, Any] | None = None
        for route in self._routes.get(type(event), ()):
            for target in route(event):
                delivery = target if isinstance(target, Delivery) else Delivery(target)
                resolved = self._resolved(delivery.channel)
                if resolved is None:
                    raise LookupError(
                        f"{event.type} routed to undeclared channel {delivery.channel}"
                    )
                if delivery.data is None and payload is None:
                    payload = event.payload()
                out.append(
                    (resolved, delivery.data if delivery.data is not None else payload or {})
                )
        return out


def _overlap(a: ChannelType, b: ChannelType) -> bool:
    if len(a.segments) != len(b.segments):
        return False
    return all(
        x == y or x.startswith("{") or y.startswith("{")
        for x, y in zip(a.segments, b.segments, strict=True)
    )
