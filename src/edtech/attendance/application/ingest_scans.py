"""Group commit for scan uploads: concurrent requests of one institution share a transaction."""

from __future__ import annotations

import asyncio
import uuid
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from edtech.attendance.application.record_scans import ScanIn, ScanOutcome, Upload
from edtech.attendance.domain import MAX_BATCH
from edtech.kernel.principal import DevicePrincipal


class Recorder(Protocol):
    """What records several uploads in one transaction (`RecordScans`)."""

    async def uploads(self, uploads: Sequence[Upload]) -> list[list[ScanOutcome]]: ...


@dataclass(frozen=True)
class _Waiting:
    device: DevicePrincipal
    scans: Sequence[ScanIn]
    result: asyncio.Future[list[ScanOutcome]]


ALONE_FROM = 100
"""Uploads this large (a device emptying its offline buffer) get a transaction of their own,
so live single scans never queue behind them."""


class IngestScans:
    """Coalesce the scan uploads of an institution that arrive while one is being recorded.

    A request that finds no transaction running for its institution starts one at once, so a
    lone scan waits for nothing. Uploads arriving meanwhile queue up; when the transaction
    commits, the next one takes every queued upload (up to `MAX_BATCH` scans, never splitting
    an upload). Under load the node thus commits fewer, larger transactions — one outbox write
    per channel for all of them — instead of queueing behind a transaction per scan.

    Each upload gets exactly its own results. Uploads that share a transaction share its fate:
    if it fails, each of them gets the error and none was applied (devices retry; scans are
    idempotent). An upload whose request went away before its turn is dropped unapplied.
    Large uploads (`alone_from` scans or more) skip the queue and run in their own transaction.
    """

    def __init__(
        self,
        recorder: Callable[[], Recorder],
        limit: int = MAX_BATCH,
        alone_from: int = ALONE_FROM,
    ) -> None:
        self._recorder = recorder
        self._limit = limit
        self._alone_from = alone_from
        self._queues: dict[uuid.UUID, deque[_Waiting]] = {}
        self._drains: dict[uuid.UUID, asyncio.Task[None]] = {}

    async def submit(self, device: DevicePrincipal, scans: Sequence[ScanIn]) -> list[ScanOutcome]:
        """Record `scans` from `device`, in a transaction shared with concurrent uploads."""
        if len(scans) >= self._alone_from:
            return (await self._recorder().uploads([(device, scans)]))[0]
        institution_id = device.institution_id
        result: asyncio.Future[list[ScanOutcome]] = asyncio.get_running_loop().create_future()
        self._queues.setdefault(institution_id, deque()).append(_Waiting(device, scans, result))
        if institution_id not in self._drains:
            self._drains[institution_id] = asyncio.create_task(
                self._drain(institution_id), name=f"attendance.scans.{institution_id}"
            )
        return await result

    async def stop(self) -> None:
        """Let the transactions under way finish (a stopping node still answers its requests),
        for at most five seconds; then cancel whatever is left, so nobody waits for ever."""
        drains = list(self._drains.values())
        if not drains:
            return
        _, pending = await asyncio.wait(drains, timeout=5)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    def _next_batch(self, queue: deque[_Waiting]) -> list[_Waiting]:
        batch = [queue.popleft()]
        size = len(batch[0].scans)
        while queue and size + len(queue[0].scans) <= self._limit:
            size += len(queue[0].scans)
            batch.append(queue.popleft())
        return [w for w in batch if not w.result.done()]

    async def _drain(self, institution_id: uuid.UUID) -> None:
        queue = self._queues[institution_id]
        batch: list[_Waiting] = []
        try:
            while queue:
                batch = self._next_batch(queue)
                if not batch:
                    continue
                try:
                    results = await self._recorder().uploads([(w.device, w.scans) for w in batch])
                except Exception as exc:  # each upload of the transaction gets its error
                    for w in batch:
                        if not w.result.done():
                            w.result.set_exception(exc)
                else:
                    for w, outcome in zip(batch, results, strict=True):
                        if not w.result.done():
                            w.result.set_result(outcome)
                batch = []
        finally:
            # Cancelled (the node stops): nobody may wait forever.
            for w in [*batch, *queue]:
                if not w.result.done():
                    w.result.cancel()
            queue.clear()
            del self._drains[institution_id]
            del self._queues[institution_id]
