"""Delivery notes: which person's socket each observed event was handed to, gathered and handed
to the observers (`ChannelRegistry.observe_deliveries`) in debounced batches."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from edtech.platform.observability.logging import get_logger
from edtech.realtime.protocol import ChannelEvent
from edtech.realtime.registry import Delivered, DeliveryContext, DeliveryObserver

log = get_logger(__name__)

DELIVERY_FLUSH_SECONDS = 0.05
"""How long observed deliveries gather before they go to their observers in one batch."""
DELIVERY_BATCH = 500
DELIVERY_BACKLOG = 100_000
"""Notes beyond this many, waiting for slow observers, are dropped (and logged)."""


class DeliveryNotes:
    """Deliveries the observers asked to hear about, handed to them in debounced batches."""

    def __init__(self, context: DeliveryContext, spawn: Callable[[Any], Any]) -> None:
        self.context = context
        self._spawn = spawn
        self._pending: dict[DeliveryObserver, list[Delivered]] = {}
        self._count = 0
        self._timer: asyncio.Task[None] | None = None

    def note(self, observer: DeliveryObserver, event: ChannelEvent, to: object) -> None:
        principal = getattr(to, "principal", None)
        if principal is None or getattr(to, "closing", False):
            return  # not a person's socket (a test double), or cut off: nothing was given
        if self._count >= DELIVERY_BACKLOG:
            log.warning("delivery_notes_dropped", channel=event.channel)
            return
        self._pending.setdefault(observer, []).append(Delivered(event, principal))
        self._count += 1
        if self._timer is None:
            self._timer = self._spawn(self._flush_soon())

    async def _flush_soon(self) -> None:
        try:
            await asyncio.sleep(DELIVERY_FLUSH_SECONDS)
        finally:
            self._timer = None
        await self.flush()

    async def flush(self) -> None:
        """Hand everything noted so far to the observers (an observer's failure is logged:
        its notes are lost, the hub goes on)."""
        pending, self._pending, self._count = self._pending, {}, 0
        for observer, notes in pending.items():
            for start in range(0, len(notes), DELIVERY_BATCH):
                try:
                    await observer(notes[start : start + DELIVERY_BATCH], self.context)
                except Exception:
                    log.exception("delivery_observer_failed", notes=len(notes))

    async def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        await self.flush()
