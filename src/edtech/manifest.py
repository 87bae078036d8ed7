"""What a slice declares to the composition root: routes, channels, tables, parts and jobs.

Each slice has a `slice.py` holding one `Slice`; `edtech.slices.SLICES` lists them in order and
`create_app` iterates that list — no discovery at import time, no special case per slice. A
slice never builds a per-node object itself: it names a factory in `components`, the composition
root builds it once, keeps it in `services.components`, starts it before the node serves and
stops it after the node has stopped serving (see CONTRIBUTING.md and ADR-0006).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from types import ModuleType

from fastapi import APIRouter
from starlette.types import ASGIApp

from edtech.platform.http.asgi import NodeApp
from edtech.platform.services import Services
from edtech.realtime.public import Registrar

ComponentFactory = Callable[[Services], object]
"""Builds one per-node object from the node's services. If the object has `async start()` or
`async stop()`, the lifespan calls them."""


@dataclass(frozen=True)
class Job:
    """A scheduled loop of a slice, run under the node's supervisor (restarted if it crashes,
    and readiness turns red meanwhile) on nodes with `EDTECH_BACKGROUND_JOBS` on."""

    name: str
    run: Callable[[Services], Awaitable[None]]


@dataclass(frozen=True)
class FastRoute:
    """An HTTP route served ahead of FastAPI's stack (see `platform.http.asgi.NodeApp`). The
    composition root wraps the built app in the request-context middleware (logs, metrics)."""

    method: str
    path: str
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
    jobs: Sequence[Job] = ()
    fast_routes: Sequence[FastRoute] = field(default_factory=tuple)
