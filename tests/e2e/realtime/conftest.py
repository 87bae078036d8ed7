"""A node with the test channel types registered and test tokens accepted."""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from edtech.app import create_app
from edtech.settings import Settings
from tests.integration.realtime import support


def realtime_app(settings: Settings) -> FastAPI:
    app = create_app(settings)
    rt = app.state.realtime
    rt.register(support.register)
    rt.check_token = support.fake_check_token(app.state.services)
    return app


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return realtime_app(settings)
