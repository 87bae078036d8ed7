"""A node's graceful stop: on SIGTERM, turn /readyz red, wait for the proxy to notice, drain
websockets in batches with close 1012, then let uvicorn finish in-flight requests and exit.

uvicorn alone would close the listening socket and every websocket at the same instant; the
proxy would learn of it only from failed dials, and every client would reconnect in one burst.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable
from types import FrameType
from typing import Any

import uvicorn
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from edtech.platform.observability.logging import get_logger

log = get_logger(__name__)

DrainHook = Callable[[], Awaitable[None]]


class LifecycleSettings(BaseSettings):
    """Start-up and shutdown timing of a node (env prefix `EDTECH_`)."""

    model_config = SettingsConfigDict(env_prefix="EDTECH_", env_file=".env", extra="ignore")

    startup_wait_seconds: float = Field(
        60.0, ge=0, description="How long a starting node waits (backoff) for PostgreSQL/Redis."
    )
    drain_delay_seconds: float = Field(
        3.0,
        ge=0,
        description="After SIGTERM, /readyz answers 503 this long before websockets are drained "
        "and the listener closes (longer than the proxy's health-check interval).",
    )
    shutdown_grace_seconds: int = Field(
        20,
        ge=1,
        description="Then, how long in-flight requests get to finish before they are cancelled.",
    )


class GracefulServer(uvicorn.Server):
    """uvicorn's server with a drain phase before its own shutdown.

    `mark_draining` flips readiness (the node's `/readyz` turns 503, `/ws` refuses new sockets);
    `drain_hooks` close websockets (the realtime hub's batched 1012). A second signal skips the
    rest of the drain (a second SIGINT forces the exit, as in uvicorn).
    """

    def __init__(
        self,
        config: uvicorn.Config,
        *,
        drain_delay: float,
        mark_draining: Callable[[], None] | None = None,
        drain_hooks: list[DrainHook] | None = None,
    ) -> None:
        super().__init__(config)
        self.drain_delay = drain_delay
        self.mark_draining = mark_draining
        self.drain_hooks = list(drain_hooks or [])
        self.drain_task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @classmethod
    def for_app(cls, config: uvicorn.Config, *, drain_delay: float) -> GracefulServer:
        """Wired to an edtech app: `app.state.services.draining` and `app.state.realtime.drain`."""
        state = getattr(config.app, "state", None)
        services: Any = getattr(state, "services", None)

        def mark_draining() -> None:
            if services is not None:
                services.draining = True

        hooks: list[DrainHook] = []
        realtime: Any = getattr(state, "realtime", None)
        if realtime is not None:
            hooks.append(realtime.drain)
        return cls(config, drain_delay=drain_delay, mark_draining=mark_draining, drain_hooks=hooks)

    async def serve(self, sockets: Any = None) -> None:
        self._loop = asyncio.get_running_loop()
        await super().serve(sockets=sockets)

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self.drain_task is None and not self.should_exit and self._loop is not None:
            # Signal handlers interrupt the loop's own code: hand over through the self-pipe.
            self._loop.call_soon_threadsafe(self.begin_drain, sig)
            return
        super().handle_exit(sig, frame)

    def begin_drain(self, sig: int = signal.SIGTERM) -> None:
        """Start the drain (idempotent); the server exits when it is done."""
        if self.drain_task is None:
            self.drain_task = asyncio.get_running_loop().create_task(self._drain(sig))

    async def _drain(self, sig: int) -> None:
        log.info("node_draining", signal=signal.Signals(sig).name, delay=self.drain_delay)
        try:
            if self.mark_draining is not None:
                self.mark_draining()
            await asyncio.sleep(self.drain_delay)
            for hook in self.drain_hooks:
                await hook()
        except Exception:
            log.exception("drain_failed")
        finally:
            self.should_exit = True


def serve_gracefully(config: uvicorn.Config, lifecycle: LifecycleSettings | None = None) -> None:
    """Run a node until SIGTERM/SIGINT, then drain and exit (what `edtech serve` runs)."""
    lifecycle = lifecycle or LifecycleSettings()
    GracefulServer.for_app(config, drain_delay=lifecycle.drain_delay_seconds).run()
