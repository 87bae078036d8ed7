"""A deadline per test, so that a hang fails one test with a trace instead of stalling the run.

Past `EDTECH_TEST_DEADLINE` seconds (300 by default; the slowest test takes about a minute) the
watchdog prints every pending asyncio task's stack and every thread's, then cancels the pending
tasks: the test fails with CancelledError where it was stuck and the run goes on. If it is still
stuck a minute later, the run is interrupted as by Ctrl-C; a minute after that (a task that
ignores cancellation holds up even pytest's own clean-up), the process exits with status 3.
What it prints goes to the terminal, around pytest's output capture.
"""

from __future__ import annotations

import asyncio
import faulthandler
import gc
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator

import pytest

DEADLINE = float(os.environ.get("EDTECH_TEST_DEADLINE", "300"))
GRACE = float(os.environ.get("EDTECH_TEST_GRACE", "60"))

_config: pytest.Config | None = None


def pytest_configure(config: pytest.Config) -> None:
    global _config
    _config = config


def _shout(write: Callable[[], None]) -> None:
    """Run `write` (to sys.stderr) with pytest's capture suspended, so it reaches the terminal."""
    capman = _config.pluginmanager.getplugin("capturemanager") if _config else None
    if capman is not None:
        capman.suspend_global_capture(in_=False)
    try:
        write()
        sys.stderr.flush()
    finally:
        if capman is not None:
            capman.resume_global_capture()


def _pending_tasks() -> list[asyncio.Task[object]]:
    return [o for o in gc.get_objects() if isinstance(o, asyncio.Task) and not o.done()]


def _dump(title: str, tasks: list[asyncio.Task[object]]) -> None:
    def write() -> None:
        print(f"\n!!! watchdog: {title}", file=sys.stderr)
        for task in tasks:
            print(f"--- pending {task!r}", file=sys.stderr)
            task.print_stack(file=sys.stderr)
        faulthandler.dump_traceback(file=sys.stderr, all_threads=True)

    _shout(write)


def _expire(nodeid: str) -> None:
    tasks = _pending_tasks()
    _dump(f"{nodeid} still running after {DEADLINE:.0f} s; cancelling its tasks", tasks)
    for task in tasks:
        task.get_loop().call_soon_threadsafe(task.cancel)


def _interrupt(nodeid: str) -> None:
    _dump(f"{nodeid} did not end after cancellation; interrupting the run", _pending_tasks())
    os.kill(os.getpid(), signal.SIGINT)  # a real signal: it wakes a loop blocked in select


def _exit(nodeid: str) -> None:
    _dump(f"{nodeid}: the run did not stop; exiting", _pending_tasks())
    os._exit(3)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Iterator[None]:
    timers = [
        threading.Timer(DEADLINE, _expire, (item.nodeid,)),
        threading.Timer(DEADLINE + GRACE, _interrupt, (item.nodeid,)),
        threading.Timer(DEADLINE + 2 * GRACE, _exit, (item.nodeid,)),
    ]
    for timer in timers:
        timer.daemon = True
        timer.start()
    try:
        result = yield
    except BaseException:  # interrupted: pytest's clean-up may hang too, so keep the last timer
        for timer in timers[:-1]:
            timer.cancel()
        raise
    for timer in timers:
        timer.cancel()
    return result
