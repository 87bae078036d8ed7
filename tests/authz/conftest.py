"""The authorization suites' world: the demo product (roster, sessions, gradebook, chat,
billing) and a second institution, in one database, with every demo login signed in."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from edtech.demo import SMALL, DemoSummary, OtherSummary
from edtech.demo_product import seed_product_demo
from edtech.notifications.settings import NotificationSettings
from edtech.platform.db.engine import make_engine, make_session_factory
from edtech.settings import Settings
from tests.authz.world import World, discover


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    """The probes sign in wrongly on purpose (the token endpoint is probed too): no throttle.
    Mail and push go to the log and files to a directory, so the routes that need them are
    probed past their 503."""
    console = NotificationSettings(push_url="console://", sms_url="console://")
    return settings.model_copy(
        update={
            "login_max_failures": 100_000,
            "mail_url": "console://",
            "notifications": console,
            "storage_url": f"file://{tmp_path / 'files'}",
        }
    )


@pytest.fixture
async def product_demo(settings: Settings, other_institution: OtherSummary) -> DemoSummary:
    """The demo product (SMALL), beside the second institution."""
    engine = make_engine(settings.database_url)
    try:
        return await seed_product_demo(make_session_factory(engine), SMALL)
    finally:
        await engine.dispose()


@pytest.fixture
async def world(
    client: httpx.AsyncClient,
    settings: Settings,
    product_demo: DemoSummary,
    other_institution: OtherSummary,
) -> World:
    return await discover(client, settings, product_demo, other_institution)
