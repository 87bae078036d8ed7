"""The node's long-lived collaborators, built once by `create_app` and reached via dependencies."""

from __future__ import annotations

import os
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from edtech.kernel.clock import Clock
from edtech.platform.db.uow import EventSink, UnitOfWork
from edtech.platform.security.tokens import TokenSigner
from edtech.settings import Settings

ReadinessCheck = Callable[[], Awaitable[str | None]]
"""Returns None when healthy, or a short reason why not."""


@dataclass
class Services:
    settings: Settings
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    clock: Clock
    signer: TokenSigner
    metrics_registry: CollectorRegistry
    sinks: list[EventSink] = field(default_factory=list)
    readiness_checks: dict[str, ReadinessCheck] = field(default_factory=dict)
    node_name: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")
    draining: bool = False

    def uow(self) -> UnitOfWork:
        """A fresh unit of work whose events go to this node's sinks (the outbox)."""
        return UnitOfWork(self.session_factory, self.sinks)
