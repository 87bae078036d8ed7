"""The chaos suite's topology: a private PostgreSQL cluster and a private Redis (the faults stop
and restart them; the machine's shared servers are never touched), two chaos nodes and Caddy;
and the report of a run (docs/chaos.md)."""

from __future__ import annotations

import asyncio
import os
import platform
import signal
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from edtech.topology.local import LocalTopology
from tests.e2e.chaos.harness import PostgresCluster
from tests.integration.realtime.support import RedisProcess

STARTUP_SECONDS = float(os.environ.get("EDTECH_E2E_STARTUP_SECONDS", "90"))
"""Bound on a node's start, as for the other e2e tests."""
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
