"""Where attendance events go: the board channel, and the inboxes of entitled people only."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from edtech.attendance.channels import SESSION_CHANNEL, register
from edtech.attendance.domain import AbsenceReported, ExcuseDecided, MarkChanged
from edtech.realtime.channels import register as register_hub
from edtech.realtime.registry import ChannelRegistry

NOW = datetime(2026, 3, 2, 13, 0, tzinfo=UTC)


def registry() -> ChannelRegistry:
    r = ChannelRegistry()
    register_hub(r)
    register(r)
    return r


def test_mark_events_go_to_the_sessions_board() -> None:
    session_id = uuid.uuid4()
    event = MarkChanged(
        institution_id=uuid.uuid4(),
        occurred_at=NOW,
        session_id=session_id,
        student_id=uuid.uuid4(),
        source="teacher",
        mark={"version": 1},
    )
    [(channel, data)] = registry().deliveries(event)
    assert channel.name == SESSION_CHANNEL.name(id=session_id) == f"attendance.session.{session_id}"
    assert data["mark"] == {"version": 1}


def test_absence_notices_go_to_each_recipient_without_the_recipient_list() -> None:
    guardian, student = uuid.uuid4(), uuid.uuid4()
    event = AbsenceReported(
        institution_id=uuid.uuid4(),
        occurred_at=NOW,
        session_id=uuid.uuid4(),
        section_id=uuid.uuid4(),
        student_id=student,
        day=date(2026, 3, 2),
        category="absent",
        code="A",
        minutes_late=None,
        recipients=(guardian, student, guardian),
    )
    deliveries = registry().deliveries(event)
    assert [c.name for c, _ in deliveries] == [f"user.{guardian}", f"user.{student}"]
    assert all("recipients" not in data for _, data in deliveries)


def test_excuse_decisions_go_to_whoever_submitted_the_note() -> None:
    guardian = uuid.uuid4()
    event = ExcuseDecided(
        institution_id=uuid.uuid4(),
        occurred_at=NOW,
        excuse_id=uuid.uuid4(),
        student_id=uuid.uuid4(),
        submitted_by=guardian,
        decision="approved",
        note=None,
        excused_marks=1,
    )
    assert [c.name for c, _ in registry().deliveries(event)] == [f"user.{guardian}"]
