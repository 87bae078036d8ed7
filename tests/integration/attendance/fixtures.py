"""Fixtures of the attendance tests (a school clock at 08:20, the demo's attendance), shared
with the e2e attendance tests, which import them into their conftest."""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from edtech.app import create_app
from edtech.attendance.public import seed_demo
from edtech.demo import DemoSummary
from edtech.kernel.clock import FixedClock
from edtech.platform.db.engine import make_engine, make_session_factory
from edtech.settings import Settings
from tests.integration.attendance.helpers import School, school_time


@pytest.fixture
def clock() -> FixedClock:
    """08:20 at the demo school: S01 (08:00–08:45) is under way; tests move the clock."""
    return FixedClock(school_time(8, 20))


@pytest.fixture
def app(settings: Settings, clock: FixedClock) -> FastAPI:
    # The hub times socket tokens by the wall clock; tokens issued at the fixed school time
    # must outlive the gap between it and the real time the test runs at.
    long_tokens = settings.model_copy(update={"access_token_ttl_seconds": 2 * 24 * 3600})
    return create_app(long_tokens, clock=clock)


@pytest.fixture
async def school(settings: Settings, demo: DemoSummary, clock: FixedClock) -> School:
    """The SMALL demo school with today's sessions, the demo scanner and CARD-<n> cards."""
    engine = make_engine(settings.database_url)
    try:
        await seed_demo(make_session_factory(engine), demo, clock=clock)
    finally:
        await engine.dispose()
    return School(demo, clock)
