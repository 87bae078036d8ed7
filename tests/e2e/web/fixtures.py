"""Fixtures of the browser tests (loaded by this folder's conftest)."""

from __future__ import annotations

import os
import shlex
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, sync_playwright

from edtech.demo import DemoSummary
from edtech.platform.db.engine import make_engine, make_session_factory
from edtech.topology.local import LocalTopology, TopologyConfig
from tests import databases
from tests.e2e.web.helpers import CHROMIUM_ARGS, chromium_binary
from tests.services import caddy_binary

SECRET = "web-e2e-secret-key-not-for-production"
STARTUP_SECONDS = float(os.environ.get("EDTECH_E2E_STARTUP_SECONDS", "90"))
NODE_COMMAND = os.environ.get("EDTECH_E2E_NODE_COMMAND", "")


@pytest.fixture(scope="module")
def web_school(e2e_school: DemoSummary, e2e_database_url: str) -> DemoSummary:
    """The e2e demo school plus teacher1's gradebook (drafts), the demo conversation and the
    demo families' bills."""
    databases.run_blocking(_seed(e2e_database_url, e2e_school))
    return e2e_school


async def _seed(url: str, summary: DemoSummary) -> None:
    from edtech.billing.public import seed_demo as seed_billing
    from edtech.communication.public import seed_demo as seed_communication
    from edtech.grades.public import seed_demo as seed_grades

    engine = make_engine(url)
    try:
        factory = make_session_factory(engine)
        await seed_grades(factory, summary)
        await seed_communication(factory, summary)
        await seed_billing(factory, summary)
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
def web_topology(
    tmp_path_factory: pytest.TempPathFactory,
    e2e_database_url: str,
    e2e_broker_url: str,
    web_school: DemoSummary,
) -> Iterator[LocalTopology]:
    """node1 and node2 behind Caddy (round robin), all ready, for the module.

    Looks for chromium first, so a machine without it skips before starting anything; the
    browser itself starts after the topology (Playwright's sync API runs a loop in this thread,
    and the topology's preparation runs its own)."""
    chromium_binary()
    config = TopologyConfig(
        nodes=2,
        caddy_port=0,
        first_node_port=0,
        caddy_admin_port=0,
        database_url=e2e_database_url,
        broker_url=e2e_broker_url,
        secret_key=SECRET,
        state_dir=tmp_path_factory.mktemp("web") / "topology",
        migrate=False,
        create_database=False,
        caddy_bin=caddy_binary(),
        startup_timeout=STARTUP_SECONDS,
        grace=3.0,  # teardown: SIGTERM, then SIGKILL after 3 s
        node_command=shlex.split(NODE_COMMAND) if NODE_COMMAND else None,
        extra_env={"EDTECH_LOG_LEVEL": "WARNING", "EDTECH_DRAIN_DELAY_SECONDS": "1"},
    )
    topology = LocalTopology(config)
    try:
        topology.start()
        yield topology
    finally:
        topology.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = chromium_binary()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()
