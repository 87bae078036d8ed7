"""The node's long-lived collaborators, built once by `create_app` and reached via dependencies."""

from __future__ import annotations

import os
import socket
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from prometheus_client import CollectorRegistry
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from edtech.kernel.clock import Clock
from edtech.platform.db.uow import EventSink, UnitOfWork
from edtech.platform.security.tokens import TokenSigner
from edtech.settings import Settings

ReadinessCheck = Callable[[], Awaitable[str | None]]
"""Returns None when healthy, or a short reason why not."""

T = TypeVar("T")


class Components:
    """The node's per-node objects (caches, ingesters, providers), one per class, built by the
    composition root from the slices' manifests. A route reaches one with
    `platform.http.deps.component(SomeClass)`; asking for one that was never built is a wiring
    error, loud at the first request, never a fallback."""

    def __init__(self) -> None:
        self._by_type: dict[type, object] = {}

    def add(self, component: object) -> None:
        kind = type(component)
        if kind in self._by_type:
            raise RuntimeError(f"two components of type {kind.__qualname__}")
        self._by_type[kind] = component

    def get(self, kind: type[T]) -> T:
        for candidate in self._by_type.values():
            if isinstance(candidate, kind):
                return candidate
        raise LookupError(f"no {kind.__qualname__} is wired into this node")

    def find(self, kind: type[T]) -> T | None:
        try:
            return self.get(kind)
        except LookupError:
            return None

    def __iter__(self) -> Iterator[object]:
        return iter(list(self._by_type.values()))


@dataclass
class Services:
    settings: Settings
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    read_session_factory: async_sessionmaker[AsyncSession]
    """Sessions for reads only (`make_read_session_factory`): `reads()`."""
    clock: Clock
    signer: TokenSigner
    metrics_registry: CollectorRegistry
    sinks: list[EventSink] = field(default_factory=list)
    readiness_checks: dict[str, ReadinessCheck] = field(default_factory=dict)
    components: Components = field(default_factory=Components)
    node_name: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")
    draining: bool = False

    def reads(self) -> AsyncSession:
        """A session for reads only: it never commits, and on PostgreSQL it runs each
        statement outside a transaction (no BEGIN, no ROLLBACK round trip)."""
        return self.read_session_factory()

    def uow(self) -> UnitOfWork:
        """A fresh unit of work whose events go to this node's sinks (the outbox)."""
        return UnitOfWork(self.session_factory, self.sinks)
