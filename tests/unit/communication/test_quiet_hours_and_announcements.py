"""Quiet hours, announcements and safety rules."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from edtech.communication.domain import (
    Announcement,
    AnnouncementAcknowledged,
    AnnouncementPublished,
    Audience,
    AudienceKind,
    Priority,
    Profile,
    QuietHours,
    clean_reason,
    may_announce,
    may_block,
    may_export,
    reply_note,
)
from edtech.kernel.errors import ConflictError, ForbiddenError, InvalidError
from edtech.kernel.principal import Role

PARIS = ZoneInfo("Europe/Paris")
NIGHTS = QuietHours(time(20), time(7))


def at(local: str) -> datetime:
    return datetime.fromisoformat(local).replace(tzinfo=PARIS).astimezone(UTC)


def test_quiet_hours_span_midnight_in_the_institution_time_zone() -> None:
    assert NIGHTS.quiet_until(at("2026-11-26T19:59"), PARIS) is None
    assert NIGHTS.quiet_until(at("2026-11-26T20:00"), PARIS) == at("2026-11-27T07:00")
    assert NIGHTS.quiet_until(at("2026-11-27T06:59"), PARIS) == at("2026-11-27T07:00")
    assert NIGHTS.quiet_until(at("2026-11-27T07:00"), PARIS) is None


def test_quiet_hours_only_on_chosen_days() -> None:
    weekend = QuietHours(time(0), time(23, 59), frozenset({5, 6}))
    assert weekend.quiet_until(at("2026-11-28T10:00"), PARIS) is not None  # Saturday
    assert weekend.quiet_until(at("2026-11-27T10:00"), PARIS) is None  # Friday


def test_quiet_hours_need_a_real_window() -> None:
    with pytest.raises(InvalidError):
        QuietHours(time(7), time(7))
    with pytest.raises(InvalidError):
        QuietHours(time(7), time(8), frozenset({7}))


def test_reply_note_says_when_in_local_time() -> None:
    note = reply_note("Ms Smith", at("2026-11-27T07:00"), PARIS)
    assert "Friday 07:00" in note
    assert "Ms Smith" in note


SECTION = uuid.uuid4()
TEACHER = Profile(
    uuid.uuid4(), "T", frozenset({Role.TEACHER}), staffed_sections=frozenset({SECTION})
)
ADMIN = Profile(uuid.uuid4(), "A", frozenset({Role.SCHOOL_ADMIN}))
GUARDIAN = Profile(uuid.uuid4(), "G", frozenset({Role.GUARDIAN}))


def announcement(**kw: object) -> Announcement:
    values: dict[str, object] = {
        "id": uuid.uuid4(),
        "institution_id": uuid.uuid4(),
        "sender_id": TEACHER.person_id,
        "title": "Trip",
        "body": "Bring boots",
        "priority": Priority.URGENT,
        "audience": Audience(AudienceKind.SECTION_GUARDIANS, section_id=SECTION),
        "requires_ack": True,
        "publish_at": at("2026-11-26T10:00"),
        "created_at": at("2026-11-26T09:00"),
    }
    values.update(kw)
    return Announcement(**values)  # type: ignore[arg-type]


def test_teacher_announces_only_to_own_sections() -> None:
    may_announce(TEACHER, Audience(AudienceKind.SECTION_GUARDIANS, section_id=SECTION))
    with pytest.raises(ForbiddenError):
        may_announce(TEACHER, Audience(AudienceKind.SECTION, section_id=uuid.uuid4()))
    with pytest.raises(ForbiddenError):
        may_announce(TEACHER, Audience(AudienceKind.SCHOOL))
    may_announce(ADMIN, Audience(AudienceKind.ROLE, role=Role.GUARDIAN))
    with pytest.raises(ForbiddenError):
        may_announce(GUARDIAN, Audience(AudienceKind.SECTION, section_id=SECTION))


def test_audience_needs_its_target() -> None:
    with pytest.raises(InvalidError):
        Audience(AudienceKind.SECTION_GUARDIANS)
    with pytest.raises(InvalidError):
        Audience(AudienceKind.ROLE)


def test_announcement_is_published_once_without_its_sender() -> None:
    a = announcement()
    assert not a.is_due(at("2026-11-26T09:59"))
    assert a.is_due(at("2026-11-26T10:00"))
    r = uuid.uuid4()
    a.publish([r, r, TEACHER.person_id], at("2026-11-26T10:00"))
    (event,) = a.pull_events()
    assert isinstance(event, AnnouncementPublished)
    assert event.recipient_ids == (r,)
    with pytest.raises(ConflictError):
        a.publish([r], at("2026-11-26T10:01"))


def test_acknowledging_tells_the_sender_who_and_when() -> None:
    a = announcement()
    reader = uuid.uuid4()
    a.acknowledge(reader, at("2026-11-26T11:00"))
    (event,) = a.pull_events()
    assert isinstance(event, AnnouncementAcknowledged)
    assert (event.sender_id, event.person_id) == (TEACHER.person_id, reader)
    assert event.acknowledged_at == at("2026-11-26T11:00")


def test_announcement_needs_title_and_body() -> None:
    with pytest.raises(InvalidError) as caught:
        announcement(title=" ", body="x" * 10_001)
    assert [p.loc for p in caught.value.problems] == [("title",), ("body",)]


def test_block_rules() -> None:
    may_block(GUARDIAN, TEACHER)
    with pytest.raises(ForbiddenError):
        may_block(GUARDIAN, ADMIN)
    with pytest.raises(InvalidError):
        may_block(GUARDIAN, GUARDIAN)


def test_export_needs_admin_and_reason() -> None:
    may_export(ADMIN)
    with pytest.raises(ForbiddenError):
        may_export(TEACHER)
    with pytest.raises(InvalidError):
        clean_reason("  ", minimum=10)
    assert clean_reason(" court order 42 ", minimum=10) == "court order 42"
