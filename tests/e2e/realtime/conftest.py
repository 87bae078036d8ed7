"""A node with the test channel types registered and test tokens accepted."""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from edtech.settings import Settings
from tests.integration.realtime.support import realtime_app


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return realtime_app(settings)
