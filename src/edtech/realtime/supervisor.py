"""Supervised background loops (a loop that dies is logged and restarted with backoff), and the
node's short-lived background tasks."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from edtech.platform.observability.logging import get_logger

log = get_logger(__name__)


class Supervisor:
    """Runs named loops forever; a crash is logged, counted and the loop restarted."""

    def __init__(self, on_crash: Callable[[str], None] | None = None) -> None:
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._on_crash = on_crash
        self.crashes: dict[str, int] = {}

    def start(self, name: str, loop: Callable[[], Awaitable[None]]) -> None:
        if name in self._tasks:
            raise RuntimeError(f"task {name} already supervised")
        self._tasks[name] = asyncio.create_task(self._run(name, loop), name=f"realtime:{name}")

    async def _run(self, name: str, loop: Callable[[], Awaitable[None]]) -> None:
        delay = 0.1
        while True:
            try:
                await loop()
                log.warning("realtime_task_returned", task=name)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("realtime_task_crashed", task=name)
                self.crashes[name] = self.crashes.get(name, 0) + 1
                if self._on_crash is not None:
                    self._on_crash(name)
            await asyncio.sleep(delay * (0.5 + random.random()))  # noqa: S311 - jitter only
            delay = min(delay * 2, 5.0)

    def alive(self) -> str | None:
        """None if every task runs, else which one is gone (for readiness)."""
        dead = [n for n, t in self._tasks.items() if t.done()]
        return f"tasks stopped: {', '.join(dead)}" if dead else None

    async def stop(self) -> None:
        tasks = list(self._tasks.values())
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


class Background:
    """Short-lived work a node starts on the side (gap fills, delivery notes, access re-checks):
    each task runs until it ends or the node stops, which cancels what is left."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    def spawn(self, coro: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
