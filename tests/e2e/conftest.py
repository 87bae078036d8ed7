"""Fixtures that run the scaled-out topology for real: two `edtech serve` nodes, Caddy,
PostgreSQL and Redis, all on loopback ports, each bounded in time and stopped even on failure.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from edtech.demo import SMALL, DemoSummary, seed_demo
from edtech.platform.db.engine import make_engine, make_session_factory
from edtech.topology.local import LocalTopology, TopologyConfig
from tests import databases
from tests.services import REDIS_URL, caddy_binary, need

E2E_SECRET = "e2e-secret-key-not-for-production"
E2E_REDIS_DB = 13
"""A Redis database of our own for hot history and presence (pub/sub is global in Redis,
but every channel name carries a fresh UUID, so runs never see each other's events)."""

STARTUP_SECONDS = float(os.environ.get("EDTECH_E2E_STARTUP_SECONDS", "90"))
"""Bound on a node's start (imports take a while on a loaded machine)."""

NODE_COMMAND = os.environ.get("EDTECH_E2E_NODE_COMMAND", "")
"""Run the nodes' CLI differently (e.g. `uv run edtech`); default: this environment's `edtech`."""


@pytest.fixture(scope="session")
def e2e_database_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for the whole e2e session, dropped at the end."""
    need("PostgreSQL")
    url = databases.create_postgres_database()
    try:
        yield url
    finally:
        databases.drop_postgres_database(url)


@pytest.fixture(scope="session")
def e2e_school(e2e_database_url: str) -> DemoSummary:
    """The SMALL demo school and today's demo attendance (scanner, CARD-<n> cards), seeded once."""
    return databases.run_blocking(_seed_school(e2e_database_url))  # type: ignore[no-any-return]


async def _seed_school(url: str) -> DemoSummary:
    from edtech.attendance.public import seed_demo as seed_attendance

    engine = make_engine(url)
    try:
        session_factory = make_session_factory(engine)
        summary = await seed_demo(session_factory, SMALL)
        await seed_attendance(session_factory, summary)
        return summary
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def e2e_broker_url() -> str:
    need("Redis")
    parts = urlsplit(REDIS_URL)
    return urlunsplit((parts.scheme, parts.netloc, f"/{E2E_REDIS_DB}", "", ""))


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> object:
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def _failed(request: pytest.FixtureRequest) -> bool:
    return any(
        getattr(getattr(request.node, f"report_{when}", None), "failed", False)
        for when in ("setup", "call")
    )


@pytest.fixture
def topology(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    e2e_database_url: str,
    e2e_broker_url: str,
) -> Iterator[LocalTopology]:
    """node1 and node2 (`edtech serve`, free ports) behind Caddy (round robin), all ready."""
    config = TopologyConfig(
        nodes=2,
        caddy_port=0,
        first_node_port=0,
        caddy_admin_port=0,
        database_url=e2e_database_url,
        broker_url=e2e_broker_url,
        secret_key=E2E_SECRET,
        state_dir=tmp_path / "topology",
        migrate=False,  # the session fixture migrated once
        create_database=False,
        caddy_bin=caddy_binary(),
        startup_timeout=STARTUP_SECONDS,
        grace=15.0,
        node_command=shlex.split(NODE_COMMAND) if NODE_COMMAND else None,
        extra_env={
            "EDTECH_LOG_LEVEL": "INFO",
            "EDTECH_LOG_JSON": "true",
            # The local Caddy probes /readyz every second: two seconds of red readiness is enough.
            "EDTECH_DRAIN_DELAY_SECONDS": "2",
        },
    )
    topo = LocalTopology(config)
    try:
        topo.start()
        yield topo
    finally:
        topo.stop()
        if _failed(request):
            for process in [*topo.nodes, topo.caddy]:
                print(f"\n----- {process.name} ({process.log_path}) -----\n{process.log_tail(60)}")
