"""Scan time limits, credential hashing, the one-device guard, absence notes, summaries."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from edtech.attendance.application.record_scans import pick_session
from edtech.attendance.domain import (
    Category,
    Excuse,
    ExcuseState,
    Mark,
    MarkFigure,
    credential_hash,
    plan_session,
    qr_device_refusal,
    summarize,
    time_problem,
)
from edtech.kernel.errors import ConflictError, InvalidError
from edtech.kernel.ids import new_id

NOW = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("at", "problem"),
    [
        (NOW, None),
        (NOW + timedelta(minutes=5), None),
        (NOW + timedelta(minutes=6), "future"),
        (NOW - timedelta(days=7), None),
        (NOW - timedelta(days=7, seconds=1), "retention"),
    ],
)
def test_scan_times_in_the_future_or_past_retention_are_rejected(
    at: datetime, problem: str | None
) -> None:
    found = time_problem(at, NOW)
    assert (found is None) if problem is None else (problem in (found or ""))


def test_credentials_hash_the_same_whatever_the_reader_spelling_and_differ_per_tenant() -> None:
    a, b = uuid.uuid4(), uuid.uuid4()
    assert credential_hash(a, " 04a1b2 ") == credential_hash(a, "04A1B2")
    assert credential_hash(a, "04A1B2") != credential_hash(b, "04A1B2")
    assert "04A1B2" not in credential_hash(a, "04A1B2")


def test_one_device_checks_in_one_student_per_session() -> None:
    me, other = uuid.uuid4(), uuid.uuid4()
    assert qr_device_refusal(None, me) is None
    assert qr_device_refusal(me, me) is None
    assert qr_device_refusal(other, me) is not None


def test_the_session_picked_is_the_latest_to_start_whose_window_holds_the_scan() -> None:
    student, inst = uuid.uuid4(), uuid.uuid4()
    first = plan_session(
        session_id=uuid.uuid4(),
        institution_id=inst,
        school_id=inst,
        section_id=uuid.uuid4(),
        day=date(2026, 3, 2),
        starts_at=NOW,
        ends_at=NOW + timedelta(minutes=45),
    )
    second = plan_session(
        session_id=uuid.uuid4(),
        institution_id=inst,
        school_id=inst,
        section_id=uuid.uuid4(),
        day=date(2026, 3, 2),
        starts_at=NOW + timedelta(minutes=55),
        ends_at=NOW + timedelta(minutes=100),
    )
    marks = [
        (Mark(id=uuid.uuid4(), institution_id=inst, session_id=s.id, student_id=student), s)
        for s in (first, second)
    ]
    assert pick_session(marks, NOW + timedelta(minutes=10))[1] is first  # type: ignore[index]
    assert pick_session(marks, NOW + timedelta(minutes=42))[1] is second  # type: ignore[index]  # overlap: the next class
    assert pick_session(marks, NOW - timedelta(minutes=20)) is None


def test_of_sessions_starting_together_the_scan_picks_the_one_created_first() -> None:
    student, inst = uuid.uuid4(), uuid.uuid4()
    clash = [
        plan_session(
            session_id=new_id(),  # time-ordered: created in this order
            institution_id=inst,
            school_id=inst,
            section_id=uuid.uuid4(),
            day=date(2026, 3, 2),
            starts_at=NOW,
            ends_at=NOW + timedelta(minutes=45),
        )
        for _ in range(3)
    ]
    marks = [
        (Mark(id=uuid.uuid4(), institution_id=inst, session_id=s.id, student_id=student), s)
        for s in clash
    ]
    for order in (marks, marks[::-1], [marks[1], marks[2], marks[0]]):
        assert pick_session(order, NOW + timedelta(minutes=3))[1] is clash[0]  # type: ignore[index]


def excuse(starts: date, ends: date, reason: str = "Flu") -> Excuse:
    return Excuse.submit(
        excuse_id=uuid.uuid4(),
        institution_id=uuid.uuid4(),
        student_id=uuid.uuid4(),
        submitted_by=uuid.uuid4(),
        starts_on=starts,
        ends_on=ends,
        reason=reason,
        attachment_ref=None,
        now=NOW,
    )


def test_an_absence_note_is_decided_once() -> None:
    note = excuse(date(2026, 3, 2), date(2026, 3, 4))
    assert note.covers(date(2026, 3, 3))
    assert not note.covers(date(2026, 3, 5))
    note.decide(approve=True, by=uuid.uuid4(), note=None, now=NOW, excused_marks=2)
    assert note.state == ExcuseState.APPROVED
    with pytest.raises(ConflictError):
        note.decide(approve=False, by=uuid.uuid4(), note=None, now=NOW, excused_marks=0)
    assert [e.type for e in note.pull_events()] == [
        "attendance.excuse_submitted",
        "attendance.excuse_decided",
    ]


@pytest.mark.parametrize(
    ("starts", "ends", "reason", "field"),
    [
        (date(2026, 3, 4), date(2026, 3, 2), "Flu", "ends_on"),
        (date(2026, 3, 2), date(2027, 4, 2), "Flu", "ends_on"),
        (date(2026, 3, 2), date(2026, 3, 2), "  ", "reason"),
    ],
)
def test_invalid_notes_name_the_field(starts: date, ends: date, reason: str, field: str) -> None:
    with pytest.raises(InvalidError) as err:
        excuse(starts, ends, reason)
    assert err.value.problems[0].loc == (field,)


def test_summary_counts_marked_sessions_and_weighs_codes() -> None:
    s = summarize(
        [
            MarkFigure(Category.PRESENT, 0, 100),
            MarkFigure(Category.TARDY, 12, 100),
            MarkFigure(Category.EARLY_DEPARTURE, None, 50),
            MarkFigure(Category.ABSENT, None, 0),
            MarkFigure(Category.EXCUSED_ABSENCE, None, 0),
            MarkFigure(None, None, None),
        ]
    )
    assert (s.sessions, s.marked, s.present_percent) == (6, 5, 50.0)
    assert (
        s.tardies,
        s.minutes_late,
        s.absences_unexcused,
        s.absences_excused,
        s.early_departures,
    ) == (1, 12, 1, 1, 1)
    assert summarize([]).present_percent is None
