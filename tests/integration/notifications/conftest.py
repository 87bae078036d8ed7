"""The notifications tests' fixtures: the attendance school and clock, loopback providers."""

from tests.integration.attendance.fixtures import app, clock, school
from tests.integration.notifications.fixtures import fcm, settings

__all__ = ["app", "clock", "fcm", "school", "settings"]
