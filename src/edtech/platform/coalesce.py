"""Work that arrives together done together: a node's queue-and-drain for concurrent callers.

A caller submits one item and awaits its own outcome. An item that finds no run under way
starts one at once (a lone caller waits for nothing); items that arrive meanwhile queue, and
the next run takes them all, up to `limit`. What the work is — posting chat messages in one
transaction (ADR-0018), reading the sign-ins of concurrent requests in one statement — is the
owner's `run`, which answers one outcome per item, in order: a value, or the exception that
item alone raises.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

In = TypeVar("In")
Out = TypeVar("Out")

STOP_WITHIN = 5.0
"""Seconds `stop()` waits for the queued items' run before cancelling it."""


@dataclass(frozen=True, slots=True)
class _Waiting(Generic[In, Out]):
    item: In
    result: asyncio.Future[Out]


class Coalescer(Generic[In, Out]):
    """Runs `run` on the items submitted together, each caller getting its own outcome.

    What each caller can rely on: its answer is its own item's (the value, or the exception
    `run` put in its place); if `run` itself raises, every item of that run gets the error.
    A caller cancelled before its run began is dropped (its item is never run); cancelled
    later, its item runs all the same. `stop()` refuses new items and lets the queued ones
    run for at most `STOP_WITHIN` seconds, then cancels them. Built and stopped by its owner,
    a component the composition root builds and stops with the node.
    """

    def __init__(
        self,
        run: Callable[[Sequence[In]], Awaitable[Sequence[Out | Exception]]],
        *,
        limit: int,
        name: str,
    ) -> None:
        self._run_items = run
        self._limit = limit
        self._name = name
        self._queue: deque[_Waiting[In, Out]] = deque()
        self._drain: asyncio.Task[None] | None = None
        self._stopped = False
        self.runs = 0
        """Runs that took two items or more (what the coalescing saved)."""

    async def submit(self, item: In) -> Out:
        """`item`'s outcome, from a run shared with the items submitted meanwhile."""
        if self._stopped:
            raise RuntimeError(f"{self._name} has stopped")
        result: asyncio.Future[Out] = asyncio.get_running_loop().create_future()
        self._queue.append(_Waiting(item, result))
        if self._drain is None:
            self._drain = asyncio.create_task(self._drain_queue(), name=self._name)
        return await result

    @property
    def stopped(self) -> bool:
        return self._stopped

    async def stop(self) -> None:
        self._stopped = True
        if self._drain is None:
            return
        drain = self._drain
        _, pending = await asyncio.wait([drain], timeout=STOP_WITHIN)
        if pending:
            drain.cancel()
            await asyncio.gather(drain, return_exceptions=True)

    def _next_batch(self) -> list[_Waiting[In, Out]]:
        queue = self._queue
        batch = [queue.popleft() for _ in range(min(self._limit, len(queue)))]
        return [w for w in batch if not w.result.done()]  # a cancelled caller is dropped

    async def _drain_queue(self) -> None:
        batch: list[_Waiting[In, Out]] = []
        try:
            while self._queue:
                if not (batch := self._next_batch()):
                    continue
                await self._run_batch(batch)
                batch = []
        finally:
            # Cancelled (the node stops): nobody may wait for ever. In the same step as the
            # empty queue was seen: an item arriving next starts a drain.
            for waiting in [*batch, *self._queue]:
                if not waiting.result.done():
                    waiting.result.cancel()
            self._queue.clear()
            self._drain = None

    async def _run_batch(self, batch: list[_Waiting[In, Out]]) -> None:
        outcomes: Sequence[Out | Exception]
        try:
            outcomes = await self._run_items([w.item for w in batch])
        except Exception as exc:  # each item of the run gets its error
            outcomes = [exc] * len(batch)
        if len(batch) > 1:
            self.runs += 1
        for waiting, outcome in zip(batch, outcomes, strict=True):
            if waiting.result.done():
                continue
            if isinstance(outcome, Exception):
                waiting.result.set_exception(outcome)
            else:
                waiting.result.set_result(outcome)
