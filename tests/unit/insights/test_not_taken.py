"""Which sessions are "attendance not taken": running, started 10 minutes to 6 hours ago,
nobody marked."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from edtech.insights.domain.not_taken import RegisterLine, untaken_sessions

NOW = datetime(2026, 11, 2, 13, 20, tzinfo=UTC)
SECTION, SCHOOL = uuid.UUID(int=10), uuid.UUID(int=20)


def register(
    n: int, *, started: timedelta, state: str = "open", marked: int = 0
) -> list[RegisterLine]:
    session = uuid.UUID(int=n)
    return [
        RegisterLine(
            session,
            SECTION,
            SCHOOL,
            date(2026, 11, 2),
            NOW - started,
            state,
            "present" if i < marked else None,
        )
        for i in range(3)
    ]


@pytest.mark.parametrize(
    ("started", "state", "marked", "alerted"),
    [
        (timedelta(minutes=20), "open", 0, True),
        (timedelta(minutes=10), "scheduled", 0, True),
        (timedelta(minutes=9), "open", 0, False),
        (timedelta(minutes=20), "open", 1, False),
        (timedelta(minutes=20), "cancelled", 0, False),
        (timedelta(minutes=20), "closed", 0, False),
        (timedelta(hours=7), "open", 0, False),
        (-timedelta(minutes=30), "scheduled", 0, False),
    ],
    ids=["open-empty", "at-ten", "nine-min", "one-mark", "cancelled", "closed", "stale", "future"],
)
def test_an_empty_running_register_ten_minutes_in_is_not_taken(
    started: timedelta, state: str, marked: int, alerted: bool
) -> None:
    found = untaken_sessions(register(1, started=started, state=state, marked=marked), NOW)
    assert [s.session_id for s in found] == ([uuid.UUID(int=1)] if alerted else [])
    if alerted:
        assert found[0].students == 3
