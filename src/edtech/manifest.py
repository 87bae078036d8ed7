"""What a slice declares to the composition root: routes, channels, tables, parts and jobs.

`JobFunction` and `Scheduled` are re-exported here: a slice declares its background work with
them and the node's `JobRunner` runs it (ADR-0007).

Each slice has a `slice.py` holding one `Slice`; `edtech.slices.SLICES` lists them in order and
`create_app` iterates that list — no discovery at import time, no special case per slice. A
slice never builds a per-node object itself: it names a factory in `components`, the composition
root builds it once, keeps it in `services.components`, starts it before the node serves and
stops it after the node has stopped serving (see CONTRIBUTING.md and ADR-0006).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import ModuleType

from fastapi import APIRouter
from starlette.types import ASGIApp

from edtech.platform.db.uow import EventSink
from edtech.platform.http.asgi import NodeApp
from edtech.platform.jobs import JobFunction, Scheduled
from edtech.platform.services import Services
from edtech.realtime.public import Registrar

__all__ = ["ComponentFactory", "FastRoute", "JobFunction", "Scheduled", "SinkFactory", "Slice"]

ComponentFactory = Callable[[Services], object]
"""Builds one per-node object from the node's services. If the object has `async start()` or
`async stop()`, the lifespan calls them."""

SinkFactory = Callable[[Services], EventSink]
"""Builds an `EventSink` that sees every unit of work's events inside its transaction, before
commit: work that must exist exactly when the change commits, such as the jobs a notification
needs."""


@dataclass(frozen=True)
class FastRoute:
    """An HTTP route served ahead of FastAPI's stack (see `platform.http.asgi.NodeApp`). The
    composition root wraps the built app in the request-context middleware (logs, metrics)."""

    method: str
    path: str
    """Exact, or a template with `{name}` segments (`NodeApp.add_raw_http`)."""
    build: Callable[[NodeApp, Services], ASGIApp]


@dataclass(frozen=True)
class Slice:
    """Everything a slice adds to a node."""

    name: str
    routers: Sequence[APIRouter] = ()
    channels: Callable[[Registrar], None] | None = None
    tables: Sequence[ModuleType] = ()
    """Modules that declare the slice's tables on the shared `metadata` (Alembic and tests
    read the complete metadata from `edtech.slices.metadata()`)."""
    components: Sequence[ComponentFactory] = ()
    jobs: Sequence[JobFunction] = ()
    """Job functions a use case may defer by name (through `jobs_port`, ADR-0007)."""
    schedules: Sequence[Scheduled] = ()
    """Jobs run every so often, on one node at a time (ADR-0007)."""
    fast_routes: Sequence[FastRoute] = field(default_factory=tuple)
    sinks: Sequence[SinkFactory] = ()
    """Event sinks of the slice, staged in every unit of work's transaction (beside the outbox):
    how a slice reacts to another's events durably, e.g. by deferring a job."""
