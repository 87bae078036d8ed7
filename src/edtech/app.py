"""The composition root: `create_app(settings)` builds a node from the explicit list of slices.

Everything per node is built here and started and stopped by the lifespan: the services, the
realtime hub, every slice's components (in list order; stopped in reverse), the job runner over
every slice's job functions and schedules (under the hub's supervisor), the group commit of
event-only writes (`EventCommitter`), its routes, channels and fast routes. Nothing is
created on first use; a slice adds itself by its manifest (`<slice>/slice.py`), never by a case
in this file.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from edtech import __version__
from edtech.identity.public import principal_from_access_token, principal_signed_in
from edtech.kernel.clock import Clock, SystemClock
from edtech.manifest import Slice
from edtech.platform.db.engine import (
    make_engine,
    make_read_session_factory,
    make_session_factory,
)
from edtech.platform.db.group_commit import EventCommitter
from edtech.platform.db.probe import DatabaseProbe
from edtech.platform.http.asgi import NodeApp
from edtech.platform.http.health import router as health_router
from edtech.platform.http.middleware import (
    BodyLimitMiddleware,
    NulGuardMiddleware,
    RequestContextMiddleware,
)
from edtech.platform.http.openapi import install_openapi
from edtech.platform.http.origins import install_cors
from edtech.platform.http.problems import install_problem_handlers
from edtech.platform.jobs import JobRunner
from edtech.platform.observability.logging import configure_logging, get_logger
from edtech.platform.observability.metrics import HttpMetrics
from edtech.platform.security.tokens import TokenSigner
from edtech.platform.services import Services
from edtech.realtime.api import add_route as add_websocket_route
from edtech.realtime.lifecycle import install as install_realtime
from edtech.settings import Settings
from edtech.slices import SLICES

log = get_logger(__name__)

STOP_WITHIN = 30.0
"""Seconds one part of a node (a component, the realtime hub, the database pool) may take to
stop before the node gives up on it, logs `node_stop_timeout` and goes on stopping the rest."""


async def _bounded(part: str, stopping: Coroutine[Any, Any, object]) -> None:
    """Await a part's stop for at most `STOP_WITHIN`: a node told to exit always exits."""
    try:
        async with asyncio.timeout(STOP_WITHIN):
            await stopping
    except TimeoutError:
        log.error("node_stop_timeout", part=part, seconds=STOP_WITHIN)


DESCRIPTION = """
The backend of a school platform: institutions and rosters, attendance, grades, billing and
parent–teacher communication. REST for everything that is not live; `/ws` for live channels
(see `channels/asyncapi.yaml`). Errors are RFC 9457 problem details.
"""


def create_app(
    settings: Settings, *, clock: Clock | None = None, slices: Sequence[Slice] = SLICES
) -> FastAPI:
    """Build a node: its services, routes and lifespan, from `settings` alone."""
    configure_logging(settings.log_level, settings.log_json)
    engine = make_engine(settings.database_url, pool_size=settings.db_pool_size)
    registry = CollectorRegistry()
    services = Services(
        settings=settings,
        engine=engine,
        session_factory=make_session_factory(engine),
        read_session_factory=make_read_session_factory(engine),
        clock=clock or SystemClock(),
        signer=TokenSigner(settings.secret_key),
        metrics_registry=registry,
    )
    if settings.node_name:
        services.node_name = settings.node_name
    for part in slices:
        for build in part.components:
            services.components.add(build(services))
        for build_sink in part.sinks:
            services.sinks.append(build_sink(services))
    # One runner per node over every slice's job functions and schedules (ADR-0007); it works
    # jobs only where `EDTECH_BACKGROUND_JOBS` is on, but the node always knows it.
    jobs = JobRunner(
        services,
        functions=[job for part in slices for job in part.jobs],
        schedules=[schedule for part in slices for schedule in part.schedules],
    )
    services.components.add(jobs)
    # Event-only writes of concurrent requests share a transaction (ADR-0014).
    services.components.add(EventCommitter(services.uow))
    # Readiness reaches the database on a connection of its own, never queued behind requests.
    services.components.add(DatabaseProbe(settings.database_url))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        log.info("node_starting", node=services.node_name, database=engine.url.drivername)
        await realtime.start()
        started: list[object] = []
        try:
            for component in services.components:
                start = getattr(component, "start", None)
                if start is not None:
                    await start()
                started.append(component)
            if settings.background_jobs:
                # Supervised: a crash is logged, restarted, and shows in readiness meanwhile.
                realtime.supervisor.start("jobs", jobs.run)
            yield
        finally:
            for component in reversed(started):
                stop = getattr(component, "stop", None)
                if stop is not None:
                    await _bounded(type(component).__name__, stop())
            # Drains sockets with 1012 in batches, flushes the outbox.
            await _bounded("realtime", realtime.stop())
            await _bounded("database", engine.dispose())
            log.info("node_stopped", node=services.node_name)

    app = NodeApp(
        title="edtech",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url="/docs",
        openapi_url="/openapi.json",
    )
    app.state.services = services
    install_problem_handlers(app)
    install_openapi(app)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(NulGuardMiddleware)
    install_cors(app, settings.allowed_origins)
    http_metrics = HttpMetrics(registry)
    app.add_middleware(RequestContextMiddleware, metrics=http_metrics)
    app.include_router(health_router)
    for part in slices:
        for router in part.routers:
            app.include_router(router)
        for fast in part.fast_routes:
            app.add_raw_http(
                fast.method,
                fast.path,
                RequestContextMiddleware(fast.build(app, services), metrics=http_metrics),
            )
    realtime = install_realtime(
        services,
        check_token=lambda token: principal_from_access_token(services, token),
        settings=settings.realtime,
        registrations=[part.channels for part in slices if part.channels is not None],
    )
    # Sockets whose sign-in ended (logout, revoked session, disabled login) close on notice.
    realtime.access.verify = lambda principal: principal_signed_in(services, principal)
    add_websocket_route(app, realtime)
    app.state.realtime = realtime
    return app
