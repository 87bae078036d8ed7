"""The arrival rule: on time until start + grace, tardy by whole minutes until the cut-off."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from edtech.attendance.domain import (
    AttendanceSession,
    Category,
    SessionState,
    Windows,
    plan_session,
)
from edtech.kernel.errors import ConflictError, InvalidError

START = datetime(2026, 3, 2, 13, 0, tzinfo=UTC)


def windows(grace: int = 5, cutoff: int = 20) -> Windows:
    return Windows(
        START - timedelta(minutes=15), START, grace, cutoff, START + timedelta(minutes=45)
    )


@pytest.mark.parametrize(
    ("offset", "category", "minutes"),
    [
        (timedelta(minutes=-10), Category.PRESENT, 0),
        (timedelta(0), Category.PRESENT, 0),
        (timedelta(minutes=5), Category.PRESENT, 0),
        (timedelta(minutes=5, seconds=1), Category.TARDY, 5),
        (timedelta(minutes=12, seconds=59), Category.TARDY, 12),
        (timedelta(minutes=20), Category.TARDY, 20),
        (timedelta(minutes=20, seconds=1), Category.ABSENT, 20),
        (timedelta(minutes=44), Category.ABSENT, 44),
    ],
)
def test_scan_time_classifies_present_late_or_absent(
    offset: timedelta, category: Category, minutes: int
) -> None:
    arrival = windows().classify(START + offset)
    assert (arrival.category, arrival.minutes_late) == (category, minutes)


def test_zero_grace_makes_the_first_second_late_by_at_least_a_minute() -> None:
    assert windows(grace=0).classify(START + timedelta(seconds=1)).minutes_late == 1


def test_window_holds_from_opening_until_close_exclusive() -> None:
    w = windows()
    assert not w.contains(START - timedelta(minutes=16))
    assert w.contains(START - timedelta(minutes=15))
    assert w.contains(START + timedelta(minutes=44, seconds=59))
    assert not w.contains(START + timedelta(minutes=45))


@pytest.mark.parametrize(
    ("grace", "cutoff", "field"),
    [(-1, 20, "grace_minutes"), (10, 5, "late_cutoff_minutes")],
)
def test_inconsistent_windows_are_refused(grace: int, cutoff: int, field: str) -> None:
    with pytest.raises(InvalidError) as err:
        windows(grace, cutoff)
    assert [p.loc for p in err.value.problems] == [(field,)]


def session() -> AttendanceSession:
    return plan_session(
        session_id=uuid.uuid4(),
        institution_id=uuid.uuid4(),
        school_id=uuid.uuid4(),
        section_id=uuid.uuid4(),
        day=date(2026, 3, 2),
        starts_at=START,
        ends_at=START + timedelta(minutes=45),
    )


def test_session_moves_scheduled_open_closed_locked_and_never_back() -> None:
    att = session()
    assert att.state == SessionState.SCHEDULED
    assert att.takes_arrivals
    assert att.open(START) is True
    assert att.open(START) is False
    with pytest.raises(ConflictError):
        att.lock(START)
    att.close(START, automatic=True, marked_absent=3)
    assert not att.takes_arrivals
    with pytest.raises(ConflictError):
        att.close(START, automatic=False, marked_absent=0)
    att.lock(START)
    assert att.is_locked
    types = [e.type for e in att.pull_events()]
    assert types == [
        "attendance.session_opened",
        "attendance.session_closed",
        "attendance.session_locked",
    ]


def test_a_session_is_due_to_close_once_its_close_time_passes() -> None:
    att = session()
    assert not att.due_to_close(START + timedelta(minutes=44))
    assert att.due_to_close(START + timedelta(minutes=45))
