"""A node's loops end when cancelled, whenever the cancellation lands.

Python 3.11's `asyncio.wait_for` loses a cancellation that arrives just as the awaited call
completes: a `while True` loop around it then never ends, and neither does the node's stop
that waits for it (seen as a test run hanging in a live server's teardown).
"""

from __future__ import annotations

import asyncio

from prometheus_client import CollectorRegistry

from edtech.realtime.broker import Broker
from edtech.realtime.metrics import RealtimeMetrics


async def test_the_broker_probe_always_stops_when_cancelled() -> None:
    broker = Broker("memory://", "node", RealtimeMetrics(CollectorRegistry()), probe_interval=0)
    await broker.connect()
    try:
        for delay in range(300):  # cancel at every step of the loop, one after the other
            probe = asyncio.create_task(broker.probe())
            for _ in range(delay % 12):
                await asyncio.sleep(0)
            probe.cancel()
            done, _ = await asyncio.wait([probe], timeout=1)
            assert done, f"the probe ignored a cancellation (delay {delay})"
    finally:
        await broker.disconnect()
