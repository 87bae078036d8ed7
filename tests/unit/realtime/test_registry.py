"""Channel types: patterns with UUID params, one spelling per channel, routes to channels."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import ClassVar

import pytest
from pydantic import BaseModel

from edtech.kernel.events import DomainEvent
from edtech.kernel.principal import Principal
from edtech.realtime.registry import (
    AuthorizationContext,
    ChannelRegistry,
    ChannelType,
    Delivery,
)


async def anyone(
    principal: Principal, params: Mapping[str, uuid.UUID], ctx: AuthorizationContext
) -> bool:
    return True


SESSION = ChannelType("attendance.session.{id}", anyone, "live board")
ANNOUNCEMENTS = ChannelType("institution.{id}.announcements", anyone, "announcements")


@dataclasses.dataclass(frozen=True, kw_only=True)
class Scanned(DomainEvent):
    type: ClassVar[str] = "attendance.scan_recorded"
    session_id: uuid.UUID


def registry() -> ChannelRegistry:
    reg = ChannelRegistry()
    reg.add(SESSION)
    reg.add(ANNOUNCEMENTS)
    return reg


def test_resolve_parses_uuid_params() -> None:
    sid = uuid.uuid4()
    resolved = registry().resolve(f"attendance.session.{sid}")
    assert resolved is not None
    assert resolved.type is SESSION
    assert resolved.params == {"id": sid}
    inst = uuid.uuid4()
    other = registry().resolve(f"institution.{inst}.announcements")
    assert other is not None
    assert other.params == {"id": inst}


SOME_ID = uuid.UUID("3f7687af-7437-4b8e-af46-748c93143817")
"""Fixed: test ids must be the same in every collecting process (pytest-xdist's workers)."""


@pytest.mark.parametrize(
    "name",
    [
        "attendance.session.not-a-uuid",
        f"attendance.session.{str(SOME_ID).upper()}",  # one spelling per channel
        f"attendance.session.{SOME_ID.hex}",
        f"attendance.session.{SOME_ID}.extra",
        "attendance.session",
        "nothing",
    ],
)
def test_names_that_do_not_match_resolve_to_none(name: str) -> None:
    assert registry().resolve(name) is None


def test_overlapping_or_duplicate_patterns_are_refused() -> None:
    reg = registry()
    with pytest.raises(ValueError, match="declared twice"):
        reg.add(ChannelType("attendance.session.{id}", anyone, "again"))
    with pytest.raises(ValueError, match="overlaps"):
        reg.add(ChannelType("attendance.{kind}.{id}", anyone, "overlap"))


def test_bad_patterns_are_refused() -> None:
    with pytest.raises(ValueError, match="bad channel pattern"):
        ChannelType("Attendance.{id}", anyone, "x")
    with pytest.raises(ValueError, match="start with a literal"):
        ChannelType("{id}.x", anyone, "x")


def test_name_builds_the_channel_of_params() -> None:
    sid = uuid.uuid4()
    assert SESSION.name(id=sid) == f"attendance.session.{sid}"


def test_deliveries_follow_routes_with_payload_or_given_data() -> None:
    reg = registry()
    sid, inst = uuid.uuid4(), uuid.uuid4()
    reg.route(Scanned, lambda e: [SESSION.name(id=e.session_id)])
    reg.route(
        Scanned,
        lambda e: [Delivery(f"institution.{e.institution_id}.announcements", {"short": True})],
    )
    event = Scanned(institution_id=inst, occurred_at=datetime.now(UTC), session_id=sid)
    out = reg.deliveries(event)
    assert [(r.name, dict(d)) for r, d in out] == [
        (f"attendance.session.{sid}", {"session_id": str(sid)}),
        (f"institution.{inst}.announcements", {"short": True}),
    ]


def test_routing_to_an_undeclared_channel_is_a_bug() -> None:
    reg = registry()
    reg.route(Scanned, lambda e: ["grades.section.x"])
    event = Scanned(
        institution_id=uuid.uuid4(), occurred_at=datetime.now(UTC), session_id=uuid.uuid4()
    )
    with pytest.raises(LookupError):
        reg.deliveries(event)


class OtherData(BaseModel):
    note: str


def test_a_name_made_by_its_type_routes_as_its_parsed_spelling_would() -> None:
    reg = registry()
    sid = uuid.uuid4()
    # a slice describes more events on the type after it was declared: the registry now holds
    # another object for the pattern, and routing uses that one, as `resolve` does
    reg.describe(SESSION.pattern, {"attendance.other": OtherData})
    made = SESSION.name(id=sid)
    assert made == f"attendance.session.{sid}"
    reg.route(Scanned, lambda e: [SESSION.name(id=e.session_id), f"attendance.session.{sid}"])
    event = Scanned(institution_id=uuid.uuid4(), occurred_at=datetime.now(UTC), session_id=sid)
    by_type, parsed = reg.deliveries(event)
    assert by_type[0] == parsed[0] == reg.resolve(f"attendance.session.{sid}")
    assert type(by_type[0].name) is str  # the plain name travels on, not the made one
    assert "attendance.other" in by_type[0].type.events


def test_a_name_made_by_a_type_the_registry_never_declared_is_refused() -> None:
    reg = registry()
    stranger = ChannelType("stranger.{id}", anyone, "not declared here")
    reg.route(Scanned, lambda e: [stranger.name(id=e.session_id)])
    event = Scanned(
        institution_id=uuid.uuid4(), occurred_at=datetime.now(UTC), session_id=uuid.uuid4()
    )
    with pytest.raises(LookupError, match="undeclared"):
        reg.deliveries(event)
