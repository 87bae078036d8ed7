"""Withdrawn access: which events name whom, and how a node acts on a notice."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from datetime import UTC, datetime
from typing import ClassVar

from edtech.kernel.events import DomainEvent
from edtech.kernel.principal import Principal
from edtech.realtime.access import AccessChecks
from edtech.realtime.broker import NODES
from edtech.realtime.registry import ChannelRegistry


@dataclasses.dataclass(frozen=True, kw_only=True)
class LinkEnded(DomainEvent):
    type: ClassVar[str] = "roster.guardian_link_ended"
    guardian_id: uuid.UUID
    student_id: uuid.UUID


@dataclasses.dataclass(frozen=True, kw_only=True)
class Linked(LinkEnded):
    type: ClassVar[str] = "roster.guardian_linked"


def event(cls: type[LinkEnded], guardian: uuid.UUID) -> LinkEnded:
    return cls(
        institution_id=uuid.uuid4(),
        occurred_at=datetime.now(UTC),
        guardian_id=guardian,
        student_id=uuid.uuid4(),
    )


def test_only_events_declared_to_withdraw_access_name_people() -> None:
    reg = ChannelRegistry()
    reg.reauthorize_on(LinkEnded, lambda e: [e.guardian_id])
    g1, g2 = uuid.uuid4(), uuid.uuid4()
    events = [event(LinkEnded, g1), event(Linked, g2), event(LinkEnded, g1)]
    assert reg.affected_people(events) == {g1}  # by exact class: a new link takes nothing
    assert reg.affected_people([]) == frozenset()


class FakeBroker:
    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.published: list[tuple[str, str]] = []

    async def publish(self, channel: str, message: str) -> None:
        if self.fail:
            raise ConnectionError("broker down")
        self.published.append((channel, message))


class FakeSocket:
    def __init__(self, person: uuid.UUID) -> None:
        self.principal = Principal(
            account_id=uuid.uuid4(),
            person_id=person,
            institution_id=uuid.uuid4(),
            display_name="Someone",
        )
        self.checked = 0

    async def reauthorize(self) -> None:
        self.checked += 1


async def test_a_notice_checks_only_the_named_peoples_sockets_and_bad_notices_are_ignored() -> None:
    p1, p2 = uuid.uuid4(), uuid.uuid4()
    sockets = [FakeSocket(p1), FakeSocket(p1), FakeSocket(p2)]
    broker = FakeBroker()
    checks = AccessChecks(broker, sockets, asyncio.ensure_future)  # type: ignore[arg-type]
    checks.changed(frozenset({p1}))
    await asyncio.sleep(0)
    assert broker.published == [(NODES, f"a{p1}")]
    checks.heard(broker.published[0][1])  # every node hears it, the announcing one too
    for bad in ("a", "anot-a-uuid", f"x{p2}", ""):
        checks.heard(bad)
    await asyncio.sleep(0)
    assert [s.checked for s in sockets] == [1, 1, 0]


async def test_with_the_broker_down_the_announcing_node_still_checks_its_own_sockets() -> None:
    person = uuid.uuid4()
    socket = FakeSocket(person)
    checks = AccessChecks(FakeBroker(fail=True), [socket], asyncio.ensure_future)  # type: ignore[arg-type]
    checks.changed(frozenset({person}))
    for _ in range(3):
        await asyncio.sleep(0)
    assert socket.checked == 1
