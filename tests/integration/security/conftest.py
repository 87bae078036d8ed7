"""Security tests reuse identity's small world (two institutions, logins, a device, a movable
clock) with lifetimes of their own."""

from __future__ import annotations

import pytest

from edtech.settings import Settings
from tests.integration.identity.fixtures import app, clock, world
from tests.integration.security.helpers import ACCESS_TTL_SECONDS, REFRESH_TTL_SECONDS
from tests.servers import TEST_SECRET

__all__ = ["app", "clock", "settings", "world"]


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        broker_url="memory://",
        secret_key=TEST_SECRET,
        log_json=True,
        log_level="INFO",
        background_jobs=False,
        access_token_ttl_seconds=ACCESS_TTL_SECONDS,
        refresh_token_ttl_seconds=REFRESH_TTL_SECONDS,
    )
