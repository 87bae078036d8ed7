"""Wiring the hub into a node: build it, start and stop its supervised tasks, drain on SIGTERM.

The composition root calls `install(services, check_token, settings.realtime)`, adds `/ws` with
`realtime.api.add_route`, keeps the returned `Realtime` on `app.state.realtime` and runs its
`start()`/`stop()` in the app's lifespan.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import Protocol

import jwt
from fastapi import FastAPI
from redis import asyncio as aioredis

from edtech.kernel.principal import Principal
from edtech.platform.observability.logging import get_logger
from edtech.platform.services import Services
from edtech.realtime.access import AccessChecks, Authorization
from edtech.realtime.broker import NODES, Broker
from edtech.realtime.commands import Commands
from edtech.realtime.connection import Connection, SocketContext
from edtech.realtime.deliveries import DeliveryNotes
from edtech.realtime.history import HotHistory, MemoryHistory, RedisHistory
from edtech.realtime.hub import Hub
from edtech.realtime.metrics import RealtimeMetrics
from edtech.realtime.presence import Presence
from edtech.realtime.protocol import CloseCode
from edtech.realtime.redis_backend import client_for
from edtech.realtime.registry import ChannelRegistry, DeliveryContext, Registrar
from edtech.realtime.relay import Pruner, Publisher, Relay
from edtech.realtime.settings import RealtimeSettings
from edtech.realtime.sink import OutboxSink
from edtech.realtime.supervisor import Background, Supervisor
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
    """The hub of one node and everything around it, built whole from the node's services and
    the hub's settings (`Settings.realtime`)."""

    def __init__(
        self, services: Services, check_token: TokenCheck, settings: RealtimeSettings
    ) -> None:
        self.services = services
        self.settings = settings
        self.check_token = check_token
        self.registry = ChannelRegistry()
        self.metrics = RealtimeMetrics(services.metrics_registry)
        broker_url, clock = services.settings.broker_url, services.clock
        self.broker = Broker(
            broker_url,
            services.node_name,
            self.metrics,
            probe_interval=settings.probe_interval_seconds,
            stale_after=settings.probe_stale_seconds,
        )
        self._redis: aioredis.Redis | None = None
        self.history: HotHistory = MemoryHistory(self.broker)
        if self.broker.scaled:
            self._redis = client_for(broker_url)
            self.history = RedisHistory(self._redis, settings.hot_history_ttl_seconds)
        self.background = Background()
        self.hub = Hub(
            self.broker,
            self.history,
            services.session_factory,
            clock,
            settings,
            self.metrics,
            self.background,
            DeliveryNotes(DeliveryContext(services.uow, clock), self.background.spawn),
        )
        self.presence = Presence(
            self.broker,
            services.node_name,
            self._redis,
            settings.presence_cap,
            settings.presence_ttl_seconds,
        )
        self.publisher = Publisher(
            self.history, services.session_factory, clock, self._size_of, self.metrics
        )
        self.relay = Relay(self.publisher, services.session_factory, clock, settings, self.metrics)
        self.pruner = Pruner(services.session_factory, clock, settings)
        self.connections: set[Connection] = set()
        self.access = AccessChecks(self.broker, self.connections, self.background.spawn)
        self.tenants = TenantSockets(self.broker, self.connections, self.background.spawn)
        self.sink = OutboxSink(
            self.registry,
            self.publisher,
            clock,
            self.access.changed,
            close_institutions=self.tenants.closed,
        )
        self.sockets = SocketContext(
            settings=settings,
            metrics=self.metrics,
            authenticate=self.authenticate,
            resolve=self.registry.resolve,
            refused=Authorization(services.session_factory, clock).refused,
            hub=self.hub,
            presence=self.presence,
            command=Commands(services.session_factory, clock, self.sink, services.sinks).run,
        )
        """What each socket is given (`connection.Connection`)."""
        self.supervisor = Supervisor(on_crash=self._crashed)
        self.started = False

    def _size_of(self, channel: str) -> int:
        resolved = self.registry.resolve(channel)
        return resolved.type.history_size if resolved else 100

    def _crashed(self, task: str) -> None:
        self.metrics.task_crashes.labels(task).inc()

    def _heard(self, channel: str, message: str) -> None:
        """What the broker delivers: notices to every node, or a hub channel's traffic."""
        if channel == NODES:  # each handler acts on its own prefix only
            self.access.heard(message)
            self.tenants.heard(message)
        else:
            self.hub.on_message(channel, message)

    async def authenticate(self, token: str) -> tuple[Principal, float | None]:
        principal = await self.check_token(token)
        return principal, token_expiry(token)

    def register(self, *registrations: Callable[[Registrar], None]) -> None:
        """Let slices declare their channel types and routes (`channels.register`)."""
        for register in registrations:
            register(self.registry)

    async def start(self) -> None:
        await self.broker.connect()
        sup = self.supervisor
        sup.start("broker-listener", lambda: self.broker.listen(self._heard))
        sup.start("broker-probe", self.broker.probe)
        sup.start("publisher", self.publisher.run)
        sup.start("relay", self.relay.run)
        sup.start("pruner", self.pruner.run)
        sup.start("resync", self.hub.resync_loop)
        sup.start("presence", self.presence.run)
        self.started = True
        log.info("realtime_started", broker=self.broker.url.split("@")[-1])

    async def readiness(self) -> str | None:
        return self.supervisor.alive() or await self.broker.readiness()

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
        await self.background.stop()
        try:  # never let a dead broker hold up the node's exit
            async with asyncio.timeout(5):
                await self.broker.disconnect()
            if self._redis is not None:
                async with asyncio.timeout(5):
                    await self._redis.aclose()
        except (TimeoutError, OSError) as exc:
            log.warning("realtime_stop_broker", error=f"{type(exc).__name__}: {exc}")
        self.started = False


def install(
    services: Services,
    check_token: TokenCheck,
    settings: RealtimeSettings,
    registrations: Iterable[Callable[[Registrar], None]] = (),
) -> Realtime:
    """Build the hub, register channel types, plug in the outbox sink and readiness. The
    composition root adds `/ws` (`realtime.api.add_route`) and runs `start`/`stop`."""
    from edtech.realtime import channels

    rt = Realtime(services, check_token, settings)
    rt.register(channels.register, *registrations)
    services.sinks.append(rt.sink)
    services.readiness_checks["broker"] = rt.readiness
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
