"""The scaled-out topology without Docker: local nodes behind a local Caddy, and start-up waits."""

from edtech.topology.local import LocalTopology, TopologyConfig, down, status, up
from edtech.topology.processes import ManagedProcess, TopologyError
from edtech.topology.startup import DependencyUnavailableError, wait_for_dependencies

__all__ = [
    "DependencyUnavailableError",
    "LocalTopology",
    "ManagedProcess",
    "TopologyConfig",
    "TopologyError",
    "down",
    "status",
    "up",
    "wait_for_dependencies",
]
