"""The calendar tests' fixtures (defined in `fixtures.py`, helpers in `helpers.py`)."""

from tests.integration.calendar.fixtures import app, clock, school

__all__ = ["app", "clock", "school"]
