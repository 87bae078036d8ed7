"""The scaled-out topology on one machine: N nodes on loopback ports behind a local Caddy.

`up` migrates once, starts the nodes with `--no-migrate`, waits until each is ready, then starts
Caddy with a generated Caddyfile; `down` stops them (SIGTERM, then SIGKILL after the grace period).
The processes outlive the command; their pids, ports and logs are in `<state_dir>/topology.json`.
The end-to-end tests drive the same `LocalTopology` object.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from edtech.settings import Settings
from edtech.topology.caddyfile import render_local_caddyfile
from edtech.topology.processes import (
    ManagedProcess,
    TopologyError,
    free_port,
    pid_alive,
    pid_cmdline,
    port_is_free,
)
from edtech.topology.startup import wait_for_dependencies

STATE_FILE = "topology.json"
DEFAULT_DATABASE_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/edtech"
DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/0"


def edtech_command() -> list[str]:
    """How to run the `edtech` CLI from this interpreter's environment (no `uv run` wrapper)."""
    script = Path(sys.executable).parent / "edtech"
    if script.exists():
        return [str(script)]
    found = shutil.which("edtech")
    if found:
        return [found]
    return [sys.executable, "-c", "from edtech.cli import main; main()"]


@dataclass
class TopologyConfig:
    """What to start. Ports 0 mean "any free port"."""

    nodes: int = 2
    host: str = "127.0.0.1"
    caddy_port: int = 8080
    first_node_port: int = 8001
    caddy_admin_port: int = 0
    database_url: str = DEFAULT_DATABASE_URL
    broker_url: str = DEFAULT_BROKER_URL
    secret_key: str = ""
    state_dir: Path = Path(".topology")
    migrate: bool = True
    create_database: bool = True
    caddy_bin: str = "caddy"
    startup_timeout: float = 60.0
    grace: float = 15.0
    lb_policy: str = "round_robin"
    node_command: list[str] | None = None
    """How to run the CLI (default: the `edtech` script of this environment)."""
    extra_env: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, **overrides: Any) -> TopologyConfig:
        """Defaults from the EDTECH_* variables of the current environment (and `.env`)."""
        values: dict[str, Any] = {
            "database_url": os.environ.get("EDTECH_DATABASE_URL", DEFAULT_DATABASE_URL),
            "broker_url": os.environ.get("EDTECH_BROKER_URL", DEFAULT_BROKER_URL),
            "secret_key": os.environ.get("EDTECH_SECRET_KEY", ""),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def validate(self) -> None:
        if self.nodes < 1:
            raise TopologyError("at least one node is needed")
        if self.nodes > 1 and self.database_url.startswith("sqlite"):
            raise TopologyError(
                "several nodes need a shared database: set EDTECH_DATABASE_URL=postgresql+asyncpg://…"
            )
        if self.nodes > 1 and self.broker_url.startswith("memory"):
            raise TopologyError(
                "several nodes need a shared broker: set EDTECH_BROKER_URL=redis://host:6379/0"
            )
        if not self.secret_key:
            raise TopologyError("set EDTECH_SECRET_KEY (the same for every node)")
        try:
            Settings(
                database_url=self.database_url,
                broker_url=self.broker_url,
                secret_key=self.secret_key,
                demo=False,
            )
        except ValueError as exc:
            raise TopologyError(f"the nodes would refuse this configuration: {exc}") from exc
        if shutil.which(self.caddy_bin) is None:
            raise TopologyError(
                f"{self.caddy_bin!r} not found: install Caddy (`apt-get install caddy`, "
                "or https://caddyserver.com/docs/install)"
            )


class LocalTopology:
    """Nodes `node1..nodeN` and one Caddy, all local processes."""

    def __init__(self, config: TopologyConfig) -> None:
        self.config = config
        self.state_dir = config.state_dir.resolve()
        self.cli = config.node_command or edtech_command()
        host = config.host
        self.caddy_port = config.caddy_port or free_port(host)
        self.admin_port = config.caddy_admin_port or free_port(host)
        self.nodes: list[ManagedProcess] = []
        for index in range(1, config.nodes + 1):
            port = config.first_node_port + index - 1 if config.first_node_port else free_port(host)
            self.nodes.append(self._node_process(f"node{index}", port))
        self.caddyfile_path = self.state_dir / "Caddyfile"
        self.caddy = ManagedProcess(
            name="caddy",
            argv=[
                shutil.which(config.caddy_bin) or config.caddy_bin,
                "run",
                "--config",
                str(self.caddyfile_path),
                "--adapter",
                "caddyfile",
            ],
            env=self._caddy_env(),
            log_path=self.state_dir / "logs" / "caddy.log",
            health_url=f"http://{host}:{self.caddy_port}/healthz",
            cwd=self.state_dir,
        )

    # -- addresses -------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The public entry point (Caddy)."""
        return f"http://{self.config.host}:{self.caddy_port}"

    @property
    def ws_url(self) -> str:
        return f"ws://{self.config.host}:{self.caddy_port}"

    @property
    def admin_url(self) -> str:
        return f"http://{self.config.host}:{self.admin_port}"

    def node(self, name: str) -> ManagedProcess:
        for process in self.nodes:
            if process.name == name:
                return process
        raise KeyError(name)

    @staticmethod
    def node_port(process: ManagedProcess) -> int:
        return int(process.argv[process.argv.index("--port") + 1])

    def node_url(self, process: ManagedProcess) -> str:
        return f"http://{self.config.host}:{self.node_port(process)}"

    # -- lifecycle -------------------------------------------------------------------------

    def node_env(self, name: str) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "EDTECH_DATABASE_URL": self.config.database_url,
                "EDTECH_BROKER_URL": self.config.broker_url,
                "EDTECH_SECRET_KEY": self.config.secret_key,
                "EDTECH_NODE_NAME": name,
                "EDTECH_LOG_JSON": env.get("EDTECH_LOG_JSON", "true"),
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(self.config.extra_env)
        return env

    def prepare(self) -> None:
        """Wait for PostgreSQL and Redis, create the database if missing, migrate once."""
        url = self.config.database_url
        if self.config.create_database and url.startswith("postgresql"):
            asyncio.run(
                wait_for_dependencies(
                    maintenance_url(url), "memory://", wait_seconds=self.config.startup_timeout
                )
            )
            asyncio.run(ensure_postgres_database(url))
        asyncio.run(
            wait_for_dependencies(
                url, self.config.broker_url, wait_seconds=self.config.startup_timeout
            )
        )
        if self.config.migrate:
            self.run_migrations()

    def run_migrations(self) -> None:
        log_path = self.state_dir / "logs" / "migrate.log"
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with log_path.open("ab") as log:
            result = subprocess.run(  # noqa: S603 - our own CLI
                [*self.cli, "migrate"],
                env=self.node_env("migrate"),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=self.config.startup_timeout,
                check=False,
            )
        if result.returncode != 0:
            tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-30:])
            raise TopologyError(f"`edtech migrate` failed ({result.returncode}):\n{tail}")

    def start(self) -> None:
        """Prepare, start every node, wait until each is ready, then start Caddy in front."""
        self.config.validate()
        self.state_dir.mkdir(parents=True, exist_ok=True)
        ports = [self.caddy_port, self.admin_port, *(self.node_port(n) for n in self.nodes)]
        busy = [p for p in ports if not port_is_free(self.config.host, p)]
        if busy:
            raise TopologyError(f"ports already in use on {self.config.host}: {busy}")
        self.prepare()
        try:
            for process in self.nodes:
                process.start()
            for process in self.nodes:
                process.wait_healthy(self.config.startup_timeout)
            self.write_caddyfile()
            self.caddy.start()
            self.caddy.wait_healthy(self.config.startup_timeout)
        except BaseException:
            self.stop()
            raise
        finally:
            self.save_state()

    def write_caddyfile(self) -> None:
        host = self.config.host
        self.caddyfile_path.write_text(
            render_local_caddyfile(
                host=host,
                port=self.caddy_port,
                upstreams=[f"{host}:{self.node_port(n)}" for n in self.nodes],
                admin=f"{host}:{self.admin_port}",
                lb_policy=self.config.lb_policy,
            )
        )

    def restart_node(self, name: str) -> None:
        """Start a stopped (or killed) node again on the same port and wait until it is ready."""
        process = self.node(name)
        process.start()
        process.wait_healthy(self.config.startup_timeout)
        self.save_state()

    def stop(self, grace: float | None = None) -> None:
        """Stop Caddy and every node: SIGTERM to all at once, SIGKILL after the grace period."""
        grace = self.config.grace if grace is None else grace
        everyone = [self.caddy, *self.nodes]
        for process in everyone:
            if process.alive():
                process.signal(15)
        deadline = time.monotonic() + grace
        for process in everyone:
            process.stop(max(0.1, deadline - time.monotonic()))
        state = self.state_dir / STATE_FILE
        if state.exists():
            state.unlink()

    # -- state -----------------------------------------------------------------------------

    def save_state(self) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        state = {
            "url": self.url,
            "admin_url": self.admin_url,
            "processes": [
                {
                    "name": p.name,
                    "pid": p.pid,
                    "health_url": p.health_url,
                    "log": str(p.log_path),
                    "cmdline": " ".join(p.argv),
                }
                for p in [*self.nodes, self.caddy]
                if p.pid is not None
            ],
        }
        (self.state_dir / STATE_FILE).write_text(json.dumps(state, indent=2) + "\n")

    def _node_process(self, name: str, port: int) -> ManagedProcess:
        host = self.config.host
        return ManagedProcess(
            name=name,
            argv=[*self.cli, "serve", "--host", host, "--port", str(port), "--no-migrate"],
            env=self.node_env(name),
            log_path=self.state_dir / "logs" / f"{name}.log",
            health_url=f"http://{host}:{port}/readyz",
        )

    def _caddy_env(self) -> dict[str, str]:
        env = dict(os.environ)
        # Caddy keeps its autosave and data here, not in the user's home.
        env["XDG_CONFIG_HOME"] = str(self.state_dir / "caddy")
        env["XDG_DATA_HOME"] = str(self.state_dir / "caddy")
        return env


def maintenance_url(url: str) -> str:
    """The URL of the `postgres` database on the same server as `url`."""
    base, _, _ = url.partition("?")[0].rpartition("/")
    return f"{base}/postgres"


async def ensure_postgres_database(url: str) -> bool:
    """Create the database named in `url` if it does not exist; True if it was created."""
    import asyncpg  # type: ignore[import-untyped]

    name = url.partition("?")[0].rpartition("/")[2]
    conn = await asyncpg.connect(maintenance_url(url).replace("+asyncpg", ""))
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if exists:
            return False
        await conn.execute(f'CREATE DATABASE "{name.replace(chr(34), "")}"')
        return True
    finally:
        await conn.close()


# -- the commands ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ProcessStatus:
    name: str
    pid: int
    alive: bool
    ready: str
    log: str


def read_state(state_dir: Path) -> dict[str, Any] | None:
    path = state_dir / STATE_FILE
    if not path.exists():
        return None
    state: dict[str, Any] = json.loads(path.read_text())
    return state


def _ours(entry: dict[str, Any]) -> bool:
    """The pid still runs the command we started (pids get reused; scripts run via python)."""
    pid = int(entry["pid"])
    arguments = entry["cmdline"].split(" ", 1)[-1]
    return pid_alive(pid) and pid_cmdline(pid).endswith(arguments)


def up(config: TopologyConfig) -> LocalTopology:
    """Start the topology in the background; refuses if one from `state_dir` still runs."""
    state = read_state(config.state_dir)
    if state and any(_ours(e) for e in state["processes"]):
        raise TopologyError(
            f"a topology from {config.state_dir} is running ({state['url']}): "
            "`edtech topology down` first"
        )
    topology = LocalTopology(config)
    topology.start()
    return topology


def down(state_dir: Path = Path(".topology"), grace: float = 15.0) -> list[str]:
    """Stop every process recorded in `state_dir` (SIGTERM, SIGKILL after `grace`)."""
    state = read_state(state_dir)
    if state is None:
        return []
    entries = [e for e in state["processes"] if _ours(e)]
    # Caddy first, so no new request reaches a node that is about to stop.
    entries.sort(key=lambda e: e["name"] != "caddy")
    for entry in entries:
        os.kill(int(entry["pid"]), 15)
    deadline = time.monotonic() + grace
    for entry in entries:
        while pid_alive(int(entry["pid"])) and time.monotonic() < deadline:
            time.sleep(0.1)
        if pid_alive(int(entry["pid"])):
            os.kill(int(entry["pid"]), 9)
    (state_dir / STATE_FILE).unlink()
    return [e["name"] for e in entries]


def status(state_dir: Path = Path(".topology")) -> tuple[str | None, list[ProcessStatus]]:
    """The entry URL and, per process, whether it runs and what its health URL answers."""
    state = read_state(state_dir)
    if state is None:
        return None, []
    result: list[ProcessStatus] = []
    with httpx.Client(timeout=2.0) as client:
        for entry in state["processes"]:
            alive = _ours(entry)
            ready = "-"
            if alive:
                try:
                    response = client.get(entry["health_url"])
                    ready = f"{response.status_code}"
                except httpx.HTTPError as exc:
                    ready = type(exc).__name__
            result.append(
                ProcessStatus(
                    name=entry["name"],
                    pid=int(entry["pid"]),
                    alive=alive,
                    ready=ready,
                    log=entry["log"],
                )
            )
    url: str = state["url"]
    return url, result
