"""Group commit for event-only writes: concurrent callers that only append events share one
transaction (ADR-0014).

A unit of work costs a node about the same for one event as for fifty: BEGIN, the sinks'
statements (one `outbox.append` for every event, whatever their number), COMMIT, a publish.
When many requests each append one event and change nothing else (a benchmark room, a client
publish), the node spends that fixed cost per request. `EventCommitter` takes their events
instead, queues them while one transaction is under way, and commits everything queued in the
next one, through an ordinary unit of work: the node's sinks stage the whole batch (offsets and
outbox rows in one statement), and publish only after it committed.

What each caller can rely on:

* `commit(events)` returns once its events are durably committed, and not before. A caller's
  events keep their order; on every channel offsets stay gapless and follow commit order (the
  outbox's rule). With one transaction in flight (the default) that is arrival order.
* Callers of one batch share its fate: if the transaction fails, every one of them gets the
  error and none of their events was committed. A caller cancelled before its batch began is
  dropped unapplied; cancelled later, its events commit all the same.
* A caller that finds fewer than `in_flight` transactions running starts one at once: a lone
  event waits for nothing.
* `stop()` lets the batches queued or under way commit (a stopping node still answers its
  requests), for at most `STOP_WITHIN` seconds; then cancels them, so nobody waits for ever.
  `commit` after `stop` raises `RuntimeError`.

Only for work that is nothing but events: a use case that reads, locks or writes rows of its
own (a chat message, a grade) keeps its own unit of work, since its refusal must not fail
its neighbours'.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from edtech.kernel.events import DomainEvent
from edtech.platform.db.uow import UnitOfWork

BATCH_LIMIT = 500
"""Events per transaction at most (a caller's events are never split): bounds one statement's
arrays and the time the channels' rows stay locked."""

IN_FLIGHT = 1
"""Transactions under way at once. One gives the largest batches (least CPU per event). Two
could help when callers wait on the database's round trips rather than the node's CPU, but
measured on a 2-core box under load they served fewer messages (docs/benchmarks.md)."""

STOP_WITHIN = 5.0
"""Seconds `stop()` waits for the queued batches to commit before cancelling them."""


@dataclass(frozen=True, slots=True)
class _Waiting:
    events: Sequence[DomainEvent]
    done: asyncio.Future[None]


class EventCommitter:
    """Commits the events of concurrent callers together (see the module's docstring)."""

    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        *,
        limit: int = BATCH_LIMIT,
        in_flight: int = IN_FLIGHT,
    ) -> None:
        self._uow = uow
        self._limit = limit
        self._in_flight = in_flight
        self._queue: deque[_Waiting] = deque()
        self._drains: set[asyncio.Task[None]] = set()
        self._stopped = False
        self.transactions = 0
        """Transactions committed so far (what the batching saved shows against callers)."""

    async def commit(self, events: Sequence[DomainEvent]) -> None:
        """Commit `events` in a transaction shared with concurrent callers; returns once it
        committed, raises what failed it."""
        if self._stopped:
            raise RuntimeError("the event committer has stopped")
        if not events:
            return
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append(_Waiting(events, done))
        if len(self._drains) < self._in_flight:
            self._drains.add(asyncio.create_task(self._run(), name="platform.group-commit"))
        await done

    async def stop(self) -> None:
        self._stopped = True
        if not self._drains:
            return
        _, pending = await asyncio.wait(list(self._drains), timeout=STOP_WITHIN)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    def _next_batch(self) -> list[_Waiting]:
        queue = self._queue
        batch = [queue.popleft()]
        size = len(batch[0].events)
        while queue and size + len(queue[0].events) <= self._limit:
            size += len(queue[0].events)
            batch.append(queue.popleft())
        return [w for w in batch if not w.done.done()]  # a cancelled caller is dropped

    async def _run(self) -> None:
        batch: list[_Waiting] = []
        try:
            while self._queue:
                if not (batch := self._next_batch()):
                    continue
                try:
                    async with self._uow() as uow:
                        for waiting in batch:
                            for event in waiting.events:
                                uow.emit(event)
                        await uow.commit()
                except Exception as exc:  # every caller of the transaction gets its error
                    for waiting in batch:
                        if not waiting.done.done():
                            waiting.done.set_exception(exc)
                else:
                    self.transactions += 1
                    for waiting in batch:
                        if not waiting.done.done():
                            waiting.done.set_result(None)
                batch = []
        except asyncio.CancelledError:
            # Cancelled (the node stops): nobody may wait for ever.
            for waiting in [*batch, *self._queue]:
                if not waiting.done.done():
                    waiting.done.cancel()
            self._queue.clear()
            raise
        finally:
            # In the same step as the empty queue was seen: a caller arriving next starts a drain.
            task = asyncio.current_task()
            if task is not None:
                self._drains.discard(task)
