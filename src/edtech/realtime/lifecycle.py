"""Wiring the hub into a node: build it, start and stop its supervised tasks, drain on SIGTERM.

`install(app, services)` is all the composition root calls; the returned `Realtime` is on
`app.state.realtime` and its `start()`/`stop()` run in the app's lifespan.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Protocol

import jwt
from fastapi import FastAPI
from redis import asyncio as aioredis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from edtech.kernel.clock import Clock
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork
from edtech.platform.observability.logging import get_logger
from edtech.platform.services import Services
from edtech.realtime.access import AccessChecks
from edtech.realtime.history import HotHistory, MemoryHistory, RedisHistory
from edtech.realtime.hub import Hub
from edtech.realtime.metrics import RealtimeMetrics
from edtech.realtime.presence import Presence
from edtech.realtime.protocol import CloseCode
from edtech.realtime.redis_backend import client_for
from edtech.realtime.registry import ChannelRegistry, Registrar
from edtech.realtime.relay import Pruner, Publisher, Relay
from edtech.realtime.settings import RealtimeSettings
from edtech.realtime.sink import OutboxSink
from edtech.realtime.supervisor import Supervisor
from edtech.realtime.tenants import TenantSockets

log = get_logger(__name__)

TokenCheck = Callable[[str], Awaitable[Principal]]
"""Turns an access token into a Principal or raises AuthenticationError."""


def token_expiry(token: str) -> float | None:
    """The `exp` of a token already verified by the identity slice (None if it has none)."""
    claims = jwt.decode(token, options={"verify_signature": False})
    exp = claims.get("exp")
    return float(exp) if isinstance(exp, int | float) else None


class Realtime:
    """The hub of one node and everything around it."""

    def __init__(
        self,
        services: Services,
        check_token: TokenCheck,
        settings: RealtimeSettings | None = None,
    ) -> None:
        self.services = services
        self.settings = settings or RealtimeSettings()
        self.registry = ChannelRegistry()
        self.metrics = RealtimeMetrics(services.metrics_registry)
        self.session_factory: async_sessionmaker[AsyncSession] = services.session_factory
        self.clock: Clock = services.clock
        self.check_token = check_token
        self.hub = Hub(
            services.settings.broker_url,
            services.node_name,
            services.session_factory,
            services.clock,
            self.settings,
            self.metrics,
            uow_factory=services.uow,
        )
        self._redis: aioredis.Redis | None = None
        self.history: HotHistory = MemoryHistory(self.hub.broker)
        if self.hub.broker.scaled:
            self._redis = client_for(services.settings.broker_url)
            self.history = RedisHistory(self._redis, self.settings.hot_history_ttl_seconds)
        self.hub.history = self.history
        self.presence = Presence(
            self.hub.broker,
            services.node_name,
            self._redis,
            self.settings.presence_cap,
            self.settings.presence_ttl_seconds,
        )
        self.publisher = Publisher(
            self.history, services.session_factory, services.clock, self._size_of, self.metrics
        )
        self.relay = Relay(
            self.publisher, services.session_factory, services.clock, self.settings, self.metrics
        )
        self.pruner = Pruner(services.session_factory, services.clock, self.settings)
        self.connections: set[Any] = set()
        self.access = AccessChecks(self.hub.broker, self.connections, self.hub.spawn)
        self.tenants = TenantSockets(self.hub.broker, self.connections, self.hub.spawn)
        self.hub.on_notice = self._notice
        self.sink = OutboxSink(
            self.registry,
            self.publisher,
            services.clock,
            self.access.changed,
            close_institutions=self.tenants.closed,
        )
        self.supervisor = Supervisor(on_crash=self._crashed)
        self.started = False

    def _notice(self, message: str) -> None:
        """A notice to every node: each handler acts on its own prefix only."""
        self.access.heard(message)
        self.tenants.heard(message)

    def _size_of(self, channel: str) -> int:
        resolved = self.registry.resolve(channel)
        return resolved.type.history_size if resolved else 100

    def _crashed(self, task: str) -> None:
        self.metrics.task_crashes.labels(task).inc()

    def uow(self) -> UnitOfWork:
        return self.services.uow()

    async def authenticate(self, token: str) -> tuple[Principal, float | None]:
        principal = await self.check_token(token)
        return principal, token_expiry(token)

    def register(self, *registrations: Callable[[Registrar], None]) -> None:
        """Let slices declare their channel types and routes (`channels.register`)."""
        for register in registrations:
            register(self.registry)

    async def start(self) -> None:
        await self.hub.broker.connect()
        sup = self.supervisor
        sup.start("broker-listener", self.hub.broker.listen)
        sup.start("broker-probe", self.hub.broker.probe)
        sup.start("publisher", self.publisher.run)
        sup.start("relay", self.relay.run)
        sup.start("pruner", self.pruner.run)
        sup.start("resync", self.hub.resync_loop)
        sup.start("presence", self.presence.run)
        self.started = True
        log.info("realtime_started", broker=self.hub.broker.url.split("@")[-1])

    async def readiness(self) -> str | None:
        return self.supervisor.alive() or await self.hub.broker.readiness()

    async def drain(self) -> None:
        """Stop taking sockets; close open ones with 1012 in batches so they spread out."""
        self.services.draining = True
        conns = list(self.connections)
        batch = self.settings.drain_batch
        for start in range(0, len(conns), batch):
            for conn in conns[start : start + batch]:
                conn.close(CloseCode.SERVER_RESTART, "server restart: reconnect")
            await asyncio.sleep(self.settings.drain_pause_seconds)
        if conns:
            log.info("realtime_drained", sockets=len(conns))

    async def stop(self) -> None:
        if not self.started:
            return
        await self.drain()
        await self.publisher.flush()
        await self.supervisor.stop()
        await self.hub.stop()
        try:  # never let a dead broker hold up the node's exit
            async with asyncio.timeout(5):
                await self.hub.broker.disconnect()
            if self._redis is not None:
                async with asyncio.timeout(5):
                    await self._redis.aclose()
        except (TimeoutError, OSError) as exc:
            log.warning("realtime_stop_broker", error=f"{type(exc).__name__}: {exc}")
        self.started = False


def install(
    app: FastAPI,
    services: Services,
    check_token: TokenCheck,
    registrations: Iterable[Callable[[Registrar], None]] = (),
    settings: RealtimeSettings | None = None,
) -> Realtime:
    """Build the hub, register channel types, add `/ws`, the outbox sink and readiness."""
    from edtech.realtime import api, channels

    rt = Realtime(services, check_token, settings)
    rt.register(channels.register, *registrations)
    services.sinks.append(rt.sink)
    services.readiness_checks["broker"] = rt.readiness
    api.add_route(app, rt)
    app.state.realtime = rt
    return rt


class _Exitable(Protocol):
    should_exit: bool


async def drain_then_exit(app: FastAPI, server: _Exitable) -> None:
    """SIGTERM for `edtech serve`: readiness goes red, sockets close with 1012 in batches (so
    clients reconnect to other nodes and resume by offset), then uvicorn shuts down, which
    runs the lifespan's stop (publisher flush, tasks, broker)."""
    rt: Realtime = app.state.realtime
    await rt.drain()
    server.should_exit = True
