"""Fixtures of the calendar tests: the demo school at 06:00 on a school morning (its sessions
planned), on a clock the tests control."""

from __future__ import annotations

import pytest

from edtech.kernel.clock import FixedClock
from tests.integration.attendance.fixtures import app, school
from tests.integration.attendance.helpers import school_time

__all__ = ["app", "clock", "school"]


@pytest.fixture
def clock() -> FixedClock:
    """06:00 at the demo school (America/New_York): the day's sessions are planned, none has
    begun — the hour a snow day is declared."""
    return FixedClock(school_time(6, 0))
