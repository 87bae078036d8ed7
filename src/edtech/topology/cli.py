"""`edtech topology up|down|status`: the scaled-out topology as local processes, no Docker."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from edtech.topology.local import TopologyConfig, down, status, up
from edtech.topology.processes import TopologyError
from edtech.topology.startup import DependencyUnavailableError

topology_app = typer.Typer(
    help="N local nodes behind a local Caddy (PostgreSQL and Redis must be running).",
    no_args_is_help=True,
)
console = Console(stderr=True)

StateDir = Annotated[
    Path, typer.Option("--state-dir", help="Where pids, logs and the Caddyfile live.")
]


@topology_app.command("up")
def up_command(
    nodes: Annotated[int, typer.Option(help="How many nodes.")] = 2,
    port: Annotated[int, typer.Option(help="Caddy's port (the entry point).")] = 8080,
    first_node_port: Annotated[
        int, typer.Option(help="Port of node1; node2 gets the next one, … (0: any free).")
    ] = 8001,
    state_dir: StateDir = Path(".topology"),
    migrate: Annotated[bool, typer.Option(help="Apply migrations once before the nodes.")] = True,
) -> None:
    """Start the nodes and Caddy in the background and wait until they are ready.

    Reads EDTECH_DATABASE_URL (default postgresql+asyncpg://postgres@127.0.0.1:5432/edtech,
    created if missing), EDTECH_BROKER_URL (default redis://127.0.0.1:6379/0) and
    EDTECH_SECRET_KEY (required, the same for every node).
    """
    config = TopologyConfig.from_env(
        nodes=nodes,
        caddy_port=port,
        first_node_port=first_node_port,
        state_dir=state_dir,
        migrate=migrate,
    )
    try:
        topology = up(config)
    except (TopologyError, DependencyUnavailableError) as exc:
        console.print(f"[red]topology up failed:[/red] {exc}")
        raise typer.Exit(1) from exc
    for node in topology.nodes:
        where = topology.node_url(node)
        console.print(f"{node.name}: {where}  (pid {node.pid}, log {node.log_path})")
    console.print(f"caddy: {topology.url}  (pid {topology.caddy.pid}, admin {topology.admin_url})")
    console.print(f"[green]up[/green]: {topology.url}  - stop with `edtech topology down`")


@topology_app.command("down")
def down_command(
    state_dir: StateDir = Path(".topology"),
    grace: Annotated[float, typer.Option(help="Seconds to drain before SIGKILL.")] = 15.0,
) -> None:
    """Stop Caddy and the nodes started by `up` (SIGTERM, SIGKILL after the grace period)."""
    stopped = down(state_dir, grace)
    console.print(f"stopped: {', '.join(stopped)}" if stopped else "nothing was running")


@topology_app.command("status")
def status_command(state_dir: StateDir = Path(".topology")) -> None:
    """Show each process of the topology: running or not, and what its health URL answers."""
    url, processes = status(state_dir)
    if url is None:
        console.print("no topology (run `edtech topology up`)")
        raise typer.Exit(1)
    table = Table(title=f"topology at {url}")
    for column in ("process", "pid", "running", "health", "log"):
        table.add_column(column)
    for p in processes:
        table.add_row(p.name, str(p.pid), "yes" if p.alive else "no", p.ready, p.log)
    Console().print(table)
    if not all(p.alive for p in processes):
        raise typer.Exit(1)


def main() -> None:
    topology_app()
