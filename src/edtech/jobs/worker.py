"""`edtech worker`: a node that works background jobs and serves no HTTP.

It is the same node as `edtech serve` (the composition root builds it from the same slices, so
its job functions, schedules, realtime outbox and components are the same) with the lifespan
run without a server: it starts, works jobs until SIGTERM or SIGINT, then stops cleanly (a job
in flight is handed back to the queue, the outbox flushed).
"""

from __future__ import annotations

import asyncio
import signal

from edtech.platform.observability.logging import get_logger
from edtech.settings import Settings

log = get_logger(__name__)


async def run_worker(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """Run a jobs-only node until `stop` is set (by default: until SIGTERM or SIGINT)."""
    from edtech.app import create_app  # the composition root sits above every slice

    app = create_app(settings.model_copy(update={"background_jobs": True}))
    if stop is None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
    async with app.router.lifespan_context(app):
        log.info("worker_started", node=app.state.services.node_name)
        await stop.wait()
        log.info("worker_stopping", node=app.state.services.node_name)
