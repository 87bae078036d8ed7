"""A deadline per test, so that a hang fails one test with a trace instead of stalling the run.

Past `EDTECH_TEST_DEADLINE` seconds (300 by default; the slowest test takes about a minute) the
watchdog prints every pending asyncio task's stack and every thread's, then cancels the pending
tasks: the test fails with CancelledError where it was stuck and the run goes on. If it is still
stuck a minute later (blocked outside the event loop), the run is interrupted as by Ctrl-C.
"""

from __future__ import annotations

import _thread
import asyncio
import faulthandler
import gc
import os
import sys
import threading
from collections.abc import Iterator

import pytest

DEADLINE = float(os.environ.get("EDTECH_TEST_DEADLINE", "300"))
GRACE = 60.0


def _pending_tasks() -> list[asyncio.Task[object]]:
    return [o for o in gc.get_objects() if isinstance(o, asyncio.Task) and not o.done()]


def _expire(nodeid: str) -> None:
    err = sys.__stderr__
    assert err is not None
    tasks = _pending_tasks()
    print(f"\n!!! watchdog: {nodeid} still running after {DEADLINE:.0f} s", file=err)
    for task in tasks:
        print(f"--- pending {task!r}", file=err)
        task.print_stack(file=err)
    faulthandler.dump_traceback(file=err, all_threads=True)
    err.flush()
    for task in tasks:
        task.get_loop().call_soon_threadsafe(task.cancel)


def _interrupt(nodeid: str) -> None:
    err = sys.__stderr__
    assert err is not None
    print(f"\n!!! watchdog: {nodeid} did not end after cancellation; stopping the run", file=err)
    faulthandler.dump_traceback(file=err, all_threads=True)
    err.flush()
    _thread.interrupt_main()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Iterator[None]:
    timers = [
        threading.Timer(DEADLINE, _expire, (item.nodeid,)),
        threading.Timer(DEADLINE + GRACE, _interrupt, (item.nodeid,)),
    ]
    for timer in timers:
        timer.daemon = True
        timer.start()
    try:
        return (yield)
    finally:
        for timer in timers:
            timer.cancel()
