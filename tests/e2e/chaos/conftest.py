"""The chaos suite's topology: a private PostgreSQL cluster and a private Redis (the faults stop
and restart them; the machine's shared servers are never touched), two chaos nodes and Caddy.
Started once per module; before each fault every part is brought back to health."""

from __future__ import annotations

import asyncio
import os
import platform
import shutil
import signal
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from edtech.topology.local import LocalTopology, TopologyConfig
from tests.e2e.chaos.harness import PG_BIN, PostgresCluster, chaos_token
from tests.e2e.conftest import STARTUP_SECONDS, caddy_binary
from tests.integration.realtime.support import RedisProcess
from tests.services import REQUIRE_SERVICES

SECRET = "chaos-secret-key-not-for-production-0123"
ROOT = Path(__file__).resolve().parents[3]
CADDY_HEALTH_INTERVAL = 1.0
"""The local Caddyfile's `health_interval`."""
FULL = os.environ.get("EDTECH_CHAOS_FULL") == "1"
"""The full profile (2,000 storm clients); the default is the CI profile."""

NODE_ENV = {
    "EDTECH_LOG_LEVEL": "INFO",
    "EDTECH_LOG_JSON": "true",
    # Faults are short: notice them (and their end) within a couple of seconds.
    "EDTECH_PROBE_INTERVAL_SECONDS": "0.5",
    "EDTECH_PROBE_STALE_SECONDS": "2",
    "EDTECH_RELAY_INTERVAL_SECONDS": "0.5",
    "EDTECH_RELAY_GRACE_SECONDS": "1",
    "EDTECH_DRAIN_DELAY_SECONDS": "1",
    "EDTECH_STARTUP_WAIT_SECONDS": "60",
    # The publisher sends far faster than a person types.
    "EDTECH_WS_RATE_PER_SECOND": "1000",
    "EDTECH_WS_RATE_BURST": "2000",
    "EDTECH_WS_SEND_QUEUE_BYTES": "262144",
    "PYTHONPATH": str(ROOT),
}


def _missing(what: str) -> None:
    reason = f"the chaos suite needs {what}"
    if REQUIRE_SERVICES:
        pytest.fail(f"EDTECH_REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


@dataclass
class Chaos:
    """The running topology and the parts the faults act on."""

    pg: PostgresCluster
    redis: RedisProcess
    topology: LocalTopology
    token: str
    figures: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ws_url(self) -> str:
        return self.topology.ws_url

    def node_urls(self) -> dict[str, str]:
        return {n.name: self.topology.node_url(n) for n in self.topology.nodes}

    def node_ws_url(self, name: str) -> str:
        return self.topology.node_url(self.topology.node(name)).replace("http://", "ws://")

    async def heal(self) -> None:
        """Every part running and every node ready (after a fault, or a failed test)."""
        if self.redis.proc is not None and self.redis.proc.returncode is None:
            os.kill(self.redis.proc.pid, signal.SIGCONT)
        else:
            await self.redis.start()
        if not self.pg.running():
            await asyncio.to_thread(self.pg.start)
        for node in self.topology.nodes:
            if not node.alive():
                await asyncio.to_thread(self.topology.restart_node, node.name)
            else:
                await asyncio.to_thread(node.wait_healthy, STARTUP_SECONDS)
        if not self.topology.caddy.alive():
            self.topology.caddy.start()
        await asyncio.to_thread(self.topology.caddy.wait_healthy, STARTUP_SECONDS)
        # Caddy probes /readyz every second: let it see every node ready again (a node it still
        # counts out after the last fault would get no client of the next).
        await asyncio.sleep(CADDY_HEALTH_INTERVAL * 2)


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


# -- the report -----------------------------------------------------------------------------


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def write_report(path: Path, figures: list[dict[str, Any]]) -> None:
    """docs/chaos.md: one table per fault, with the machine and the date of the run."""
    lines = [
        "# Chaos suite: figures of a run",
        "",
        "Produced by the suite itself (`EDTECH_CHAOS_REPORT=docs/chaos.md uv run pytest "
        "tests/e2e/chaos -p no:cacheprovider`; add `EDTECH_CHAOS_FULL=1` for the full profile). "
        "The topology is the local one of `docs/deploy.md`: two nodes behind Caddy, with a "
        "PostgreSQL cluster and a Redis of the suite's own so the faults can stop them. "
        "Each fault runs while a publisher commits numbered events on three fresh channels and "
        "clients (through Caddy) track offsets per channel and resume with `since` after any "
        "close. **Lost** counts committed offsets (the database's `channel_state`) a client "
        "neither received nor was told `recovered: false` about; duplicates are dropped by "
        "offset, as a client does.",
        "",
        f"* Date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"* Machine: {_machine()}",
        f"* Profile: {'full' if FULL else 'CI'}",
        "",
    ]
    for entry in figures:
        lines += [f"## {entry['fault']}", "", entry["what"], "", "| figure | value |", "|---|---|"]
        lines += [f"| {k} | {v} |" for k, v in entry["figures"].items()]
        lines.append("")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines))
