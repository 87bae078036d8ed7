"""The insights tests run on the attendance tests' school (defined in their `fixtures.py`)."""

from tests.integration.attendance.fixtures import app, clock, school

__all__ = ["app", "clock", "school"]
