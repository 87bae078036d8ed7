"""Fixtures of the communication tests: signed-in demo people (`helpers.People`)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from edtech.demo import DemoSummary
from tests.integration.communication.helpers import People
from tests.servers import LiveServer


@pytest.fixture
async def people(live_server: LiveServer, demo: DemoSummary) -> AsyncIterator[People]:
    # a patient client: these tests run beside other suites on a busy machine
    async with httpx.AsyncClient(base_url=live_server.url, timeout=60) as client:
        yield People(client, demo, {})
