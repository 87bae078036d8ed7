"""Fixtures of the chaos suite: its topology (see `topology.py`), started once per module and
brought back to health before each fault."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from edtech.topology.local import LocalTopology, TopologyConfig
from tests.e2e.chaos.harness import PG_BIN, PostgresCluster, chaos_token
from tests.e2e.chaos.topology import NODE_ENV, SECRET, STARTUP_SECONDS, Chaos, write_report
from tests.integration.realtime.support import RedisProcess
from tests.services import REQUIRE_SERVICES, caddy_binary


def _missing(what: str) -> None:
    reason = f"the chaos suite needs {what}"
    if REQUIRE_SERVICES:
        pytest.fail(f"EDTECH_REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def chaos_topology(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Chaos]:
    if not (PG_BIN / "initdb").exists():
        _missing(f"PostgreSQL's initdb/pg_ctl in {PG_BIN} (set EDTECH_CHAOS_PG_BIN)")
    if shutil.which("redis-server") is None:
        _missing("redis-server")
    caddy = caddy_binary()
    pg = PostgresCluster()
    redis = RedisProcess()
    topology: LocalTopology | None = None
    try:
        await asyncio.to_thread(pg.init)
        await asyncio.to_thread(pg.start)
        await redis.start()
        topology = LocalTopology(
            TopologyConfig(
                nodes=2,
                caddy_port=0,
                first_node_port=0,
                caddy_admin_port=0,
                database_url=pg.url,
                broker_url=redis.url,
                secret_key=SECRET,
                state_dir=tmp_path_factory.mktemp("chaos") / "topology",
                caddy_bin=caddy,
                startup_timeout=STARTUP_SECONDS,
                grace=10.0,
                node_command=[sys.executable, "-m", "tests.e2e.chaos.node"],
                extra_env=NODE_ENV,
            )
        )
        await asyncio.to_thread(topology.start)
        chaos = Chaos(pg, redis, topology, chaos_token(SECRET))
        yield chaos
        if report := os.environ.get("EDTECH_CHAOS_REPORT"):
            write_report(Path(report), chaos.figures)
    finally:
        if topology is not None:
            await asyncio.to_thread(topology.stop)
        if redis.proc is not None and redis.proc.returncode is None:
            os.kill(redis.proc.pid, signal.SIGCONT)
        await redis.kill()
        await asyncio.to_thread(pg.destroy)


@pytest_asyncio.fixture(loop_scope="module")
async def chaos(request: pytest.FixtureRequest, chaos_topology: Chaos) -> AsyncIterator[Chaos]:
    """The topology, healthy before the test; on failure, the nodes' last log lines."""
    await chaos_topology.heal()
    yield chaos_topology
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        topology = chaos_topology.topology
        for process in [*topology.nodes, topology.caddy]:
            print(f"\n----- {process.name} ({process.log_path}) -----\n{process.log_tail(40)}")
