"""The composition root: `create_app(settings)` wires every slice, the hub and the lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from edtech import __version__
from edtech.attendance.api import SCAN_UPLOAD
from edtech.attendance.api import router as attendance_router
from edtech.attendance.public import run_closer
from edtech.billing.api import router as billing_router
from edtech.billing.public import overdue_loop
from edtech.communication.api import router as communication_router
from edtech.communication.public import run_release_loop
from edtech.grades.api import router as grades_router
from edtech.identity.api import router as identity_router
from edtech.identity.public import principal_from_access_token, session_prune_loop
from edtech.institutions.api import router as institutions_router
from edtech.kernel.clock import Clock, SystemClock
from edtech.platform.db.engine import make_engine, make_session_factory
from edtech.platform.http.asgi import NodeApp
from edtech.platform.http.fast_route import mount_fast_route
from edtech.platform.http.health import router as health_router
from edtech.platform.http.middleware import BodyLimitMiddleware, RequestContextMiddleware
from edtech.platform.http.problems import install_problem_handlers
from edtech.platform.observability.logging import configure_logging, get_logger
from edtech.platform.observability.metrics import HttpMetrics
from edtech.platform.security.tokens import TokenSigner
from edtech.platform.services import Services
from edtech.realtime.lifecycle import install as install_realtime
from edtech.realtime.lifecycle import slice_registrations
from edtech.settings import Settings

log = get_logger(__name__)

DESCRIPTION = """
The backend of a school platform: institutions and rosters, attendance, grades, billing and
parent–teacher communication. REST for everything that is not live; `/ws` for live channels
(see `channels/asyncapi.yaml`). Errors are RFC 9457 problem details.
"""


def create_app(settings: Settings, *, clock: Clock | None = None) -> FastAPI:
    """Build a node: its services, routes and lifespan, from `settings` alone."""
    configure_logging(settings.log_level, settings.log_json)
    engine = make_engine(settings.database_url, pool_size=settings.db_pool_size)
    registry = CollectorRegistry()
    services = Services(
        settings=settings,
        engine=engine,
        session_factory=make_session_factory(engine),
        clock=clock or SystemClock(),
        signer=TokenSigner(settings.secret_key),
        metrics_registry=registry,
    )
    if settings.node_name:
        services.node_name = settings.node_name

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        log.info("node_starting", node=services.node_name, database=engine.url.drivername)
        await realtime.start()
        if settings.background_jobs:
            # Supervised: a crash is logged, restarted, and shows in readiness meanwhile.
            realtime.supervisor.start("attendance.closer", lambda: run_closer(services))
            realtime.supervisor.start("billing.overdue", lambda: overdue_loop(services))
            realtime.supervisor.start("communication.release", lambda: run_release_loop(services))
            realtime.supervisor.start("identity.prune", lambda: session_prune_loop(services))
        try:
            yield
        finally:
            await realtime.stop()  # drains sockets with 1012 in batches, flushes the outbox
            await engine.dispose()
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
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    http_metrics = HttpMetrics(registry)
    app.add_middleware(RequestContextMiddleware, metrics=http_metrics)
    app.include_router(health_router)
    app.include_router(identity_router)
    app.include_router(institutions_router)
    app.include_router(billing_router)
    app.include_router(attendance_router)
    app.include_router(grades_router)
    app.include_router(communication_router)
    # Scanners post a request per tap: that route is served ahead of FastAPI's stack.
    mount_fast_route(app, SCAN_UPLOAD, max_body_bytes=settings.max_body_bytes, metrics=http_metrics)
    realtime = install_realtime(
        app,
        services,
        check_token=lambda token: principal_from_access_token(services, token),
        registrations=slice_registrations(),
    )
    return app
