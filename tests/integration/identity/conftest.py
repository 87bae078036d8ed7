"""The identity tests' fixtures (defined in `fixtures.py`, helpers in `helpers.py`)."""

from tests.integration.identity.fixtures import admin_headers, app, clock, settings, world

__all__ = ["admin_headers", "app", "clock", "settings", "world"]
