"""Delivery observers: the hub notes observed events it hands to people's sockets, and hands the
notes over in batches as event objects; unobserved channels never look inside their frames."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import pytest

from edtech.kernel.clock import FixedClock
from edtech.kernel.principal import Principal
from edtech.realtime import hub as hub_module
from edtech.realtime.deliveries import DeliveryNotes
from edtech.realtime.hub import LocalChannel, Subscription
from edtech.realtime.protocol import ChannelEvent, decode_event, event_frame
from edtech.realtime.registry import (
    AuthorizationContext,
    ChannelRegistry,
    ChannelType,
    Delivered,
    DeliveryContext,
)

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)


async def anyone(
    principal: Principal, params: Mapping[str, uuid.UUID], ctx: AuthorizationContext
) -> bool:
    return True


class PersonSocket:
    def __init__(self, name: str, principal: Principal | None) -> None:
        self.id = name
        self.principal = principal
        self.closing = False
        self.frames: list[str] = []

    def enqueue(self, frame: str) -> None:
        self.frames.append(frame)

    async def enqueue_paced(self, frame: str) -> None:
        self.frames.append(frame)


def person(name: str) -> Principal:
    return Principal(
        account_id=uuid.uuid4(),
        person_id=uuid.uuid4(),
        institution_id=uuid.uuid4(),
        display_name=name,
        grants=frozenset(),
    )


class Recorder:
    def __init__(self) -> None:
        self.batches: list[list[Delivered]] = []

    async def __call__(self, batch: Sequence[Delivered], ctx: DeliveryContext) -> None:
        self.batches.append(list(batch))


def frame(offset: int, type_: str) -> str:
    return event_frame("room.x", offset, type_, {"n": offset}, NOW)


def no_uow() -> Any:
    raise AssertionError("not used")


def notes() -> tuple[DeliveryNotes, set[asyncio.Task[None]]]:
    tasks: set[asyncio.Task[None]] = set()

    def spawn(coro: Any) -> asyncio.Task[None]:
        task = asyncio.ensure_future(coro)
        tasks.add(task)
        return task

    return DeliveryNotes(DeliveryContext(no_uow, FixedClock(NOW)), spawn), tasks


def test_an_event_frame_decodes_to_the_event_it_carries() -> None:
    assert decode_event(frame(7, "chat.message_posted")) == ChannelEvent(
        "room.x", 7, "chat.message_posted", {"n": 7}
    )


async def test_observed_types_reaching_people_are_noted_and_handed_over_in_one_batch() -> None:
    recorder = Recorder()
    delivery_notes, tasks = notes()
    lc = LocalChannel(
        "room.x",
        ChannelType("room.{id}", anyone, "t"),
        1,
        "ep",
        {"t.posted": recorder},
        delivery_notes,
    )
    alice, bob = person("Alice"), person("Bob")
    sockets = [
        PersonSocket("a", alice),
        PersonSocket("b", bob),
        PersonSocket("probe", None),  # not a person: never noted
    ]
    for sock in sockets:
        lc.subs[sock] = Subscription(sock, after=0, pending=None)
    lc.accept(1, frame(1, "t.posted"))
    lc.accept(2, frame(2, "t.other"))  # not observed
    sockets[1].closing = True  # cut off: what it is given is not delivered
    lc.accept(3, frame(3, "t.posted"))
    assert recorder.batches == []  # debounced, not one call per frame
    await asyncio.gather(*tasks)
    (batch,) = recorder.batches
    assert [(d.principal, d.event) for d in batch] == [
        (alice, ChannelEvent("room.x", 1, "t.posted", {"n": 1})),
        (bob, ChannelEvent("room.x", 1, "t.posted", {"n": 1})),
        (alice, ChannelEvent("room.x", 3, "t.posted", {"n": 3})),
    ]


async def test_a_channel_nobody_observes_never_looks_at_its_frames(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def looked(frame: str) -> ChannelEvent:
        raise AssertionError("an unobserved channel decoded a frame")

    monkeypatch.setattr(hub_module, "decode_event", looked)
    delivery_notes, _ = notes()
    lc = LocalChannel(
        "room.x", ChannelType("room.{id}", anyone, "t"), 1, "ep", None, delivery_notes
    )
    sock = PersonSocket("a", person("Alice"))
    lc.subs[sock] = Subscription(sock, after=0, pending=None)
    assert lc.accept(1, frame(1, "t.posted")) == 1


async def test_a_failing_observer_is_logged_and_the_hub_goes_on() -> None:
    calls: list[int] = []

    async def broken(batch: Sequence[Delivered], ctx: DeliveryContext) -> None:
        calls.append(len(batch))
        raise RuntimeError("database down")

    delivery_notes, tasks = notes()
    lc = LocalChannel(
        "room.x",
        ChannelType("room.{id}", anyone, "t"),
        1,
        "ep",
        {"t.posted": broken},
        delivery_notes,
    )
    sock = PersonSocket("a", person("Alice"))
    lc.subs[sock] = Subscription(sock, after=0, pending=None)
    lc.accept(1, frame(1, "t.posted"))
    await delivery_notes.stop()  # stopping hands over what is pending
    for task in tasks:
        task.cancel()
    assert calls == [1]
    lc.accept(2, frame(2, "t.posted"))
    await asyncio.gather(*tasks, return_exceptions=True)
    await delivery_notes.flush()
    assert calls == [1, 1]


def test_observers_attach_to_declared_channel_types_once_per_event_type() -> None:
    registry = ChannelRegistry()
    registry.add(ChannelType("room.{id}", anyone, "t"))
    recorder = Recorder()
    registry.observe_deliveries("t.posted", recorder, on=["room.{id}"])
    resolved = registry.resolve(f"room.{uuid.uuid4()}")
    assert resolved is not None
    assert resolved.observers == {"t.posted": recorder}
    with pytest.raises(ValueError, match="observed twice"):
        registry.observe_deliveries("t.posted", recorder, on=["room.{id}"])
    with pytest.raises(LookupError):
        registry.observe_deliveries("t.posted", recorder, on=["nowhere.{id}"])
