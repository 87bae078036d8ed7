"""Schedules are checked when they are declared, and say when they run next."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from edtech.platform.jobs import Scheduled


async def nothing(_services: object) -> None:
    return None


NOW = datetime(2026, 3, 6, 17, 45, tzinfo=UTC)  # a Friday


def test_an_interval_runs_at_start_then_every_interval() -> None:
    schedule = Scheduled("t.every", timedelta(minutes=15), nothing)
    assert schedule.first_run(NOW) == NOW
    assert schedule.next_after(NOW) == NOW + timedelta(minutes=15)


def test_a_cron_expression_runs_at_its_next_matching_time() -> None:
    schedule = Scheduled("t.cron", None, nothing, cron="0 7 * * MON-FRI")
    monday_seven = datetime(2026, 3, 9, 7, 0, tzinfo=UTC)
    assert schedule.first_run(NOW) == monday_seven
    assert schedule.next_after(monday_seven) == monday_seven + timedelta(days=1)


@pytest.mark.parametrize(
    ("every", "cron"),
    [(None, None), (timedelta(minutes=1), "* * * * *"), (timedelta(0), None), (None, "61 * * * *")],
)
def test_a_schedule_needs_one_valid_rhythm(every: timedelta | None, cron: str | None) -> None:
    with pytest.raises(ValueError, match=r"t\.bad"):
        Scheduled("t.bad", every, nothing, cron=cron)
