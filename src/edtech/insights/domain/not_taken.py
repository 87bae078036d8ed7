""" "Attendance not taken": a planned session whose period began a while ago with nobody marked.
Pure: no I/O."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import ClassVar

from edtech.kernel.events import DomainEvent

NOT_TAKEN_AFTER = timedelta(minutes=10)
"""How long after a period starts an empty register is an alert, unless the institution set
another (`Thresholds.not_taken_after_minutes`)."""
NOT_TAKEN_WITHIN = timedelta(hours=6)
"""Sessions that started longer ago than this are not alerted any more (a node that was down
all morning does not send the morning's alerts at lunch)."""
RUNNING = frozenset({"scheduled", "open"})


@dataclass(frozen=True)
class RegisterLine:
    """One student's mark in a session, as the check sees it."""

    session_id: uuid.UUID
    section_id: uuid.UUID
    school_id: uuid.UUID
    day: date
    starts_at: datetime
    state: str
    category: str | None


@dataclass(frozen=True)
class UntakenSession:
    session_id: uuid.UUID
    section_id: uuid.UUID
    school_id: uuid.UUID
    day: date
    starts_at: datetime
    students: int


def untaken_sessions(
    lines: Iterable[RegisterLine],
    now: datetime,
    after: timedelta = NOT_TAKEN_AFTER,
    within: timedelta = NOT_TAKEN_WITHIN,
) -> list[UntakenSession]:
    """Sessions still scheduled or open (not ended, not cancelled) whose start was at least
    `after` ago (and at most `within`), with not one student marked — by scan, teacher or
    office. One mark is enough: the register has been started."""
    sessions: dict[uuid.UUID, list[RegisterLine]] = {}
    for line in lines:
        sessions.setdefault(line.session_id, []).append(line)
    out = []
    for session_id, marks in sessions.items():
        first = marks[0]
        if first.state not in RUNNING or not now - within <= first.starts_at <= now - after:
            continue
        if any(m.category is not None for m in marks):
            continue
        out.append(
            UntakenSession(
                session_id,
                first.section_id,
                first.school_id,
                first.day,
                first.starts_at,
                len(marks),
            )
        )
    return sorted(out, key=lambda s: (s.starts_at, str(s.session_id)))


@dataclass(frozen=True, kw_only=True)
class AttendanceNotTaken(DomainEvent):
    """A session's period started `minutes` ago and nobody has been marked: its teachers and
    the school's attendance office are told (each in their own inbox, `user.{id}`), once."""

    type: ClassVar[str] = "insights.attendance_not_taken"
    session_id: uuid.UUID
    section_id: uuid.UUID
    school_id: uuid.UUID
    day: date
    starts_at: datetime
    minutes: int
    students: int
    teachers: tuple[uuid.UUID, ...] = field(default=())
    office: tuple[uuid.UUID, ...] = field(default=())
