"""One node for `bench.attendance.scan_work`: `bench.attendance.server`'s node, plus counters.

It counts the SQL statements it sends (any engine's `before_cursor_execute`) and appends the
count so far to the file `SCAN_WORK_STATEMENTS` names on SIGUSR1. With `SCAN_WORK_PROFILE`,
SIGUSR2 switches cProfile on, and the next SIGUSR2 off, writing its statistics to that file.

Its timers are slowed to an hour (`quiet_timers`): the work a node does per second whatever
its traffic (broker probe, relay poll, presence flush, hub resync, batched "published" marks,
the 5-second device-key cache)
would otherwise be counted against the scans — under valgrind a scan takes 50 times longer, so
those timers fire 50 times as often per scan as in a real run, where at 200 scans/s they cost
~1 % of the node's CPU.
"""

from __future__ import annotations

import cProfile
import importlib
import os
import signal
import sys
import time
from typing import Any

import uvicorn
from sqlalchemy import event
from sqlalchemy.engine import Engine

from edtech.app import create_app
from edtech.platform.serving import freeze_heap, uvicorn_config
from edtech.settings import Settings

HOUR = 3600.0


def quiet_timers() -> None:
    """Every periodic task of the node once an hour (the same names on both sides compared)."""
    from edtech.realtime import relay
    from edtech.realtime.hub import Hub
    from edtech.realtime.presence import Presence

    os.environ |= {
        "EDTECH_PROBE_INTERVAL_SECONDS": str(HOUR),
        "EDTECH_PROBE_STALE_SECONDS": str(2 * HOUR),
        "EDTECH_RELAY_INTERVAL_SECONDS": str(HOUR),
    }
    relay.MARK_EVERY = HOUR
    Hub.resync_loop.__defaults__ = (HOUR,)
    Presence.__init__.__defaults__ = (HOUR,)
    # The device-key cache trusts a key for 5 s: under valgrind that is a miss (one or two
    # statements) every few scans, in a real run one per thousand.
    try:
        keys = importlib.import_module("edtech.identity.application.device_keys")
    except ImportError:  # before the consolidation
        keys = importlib.import_module("edtech.identity.application.devices")
    keys.DeviceKeys.__init__.__defaults__ = (HOUR, 10_000, time.monotonic)


def main() -> None:
    port = int(sys.argv[1])
    quiet_timers()
    statements = 0

    sql_log = os.environ.get("SCAN_WORK_SQL_LOG")

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        nonlocal statements
        statements += 1
        if sql_log:
            with open(sql_log, "a") as f:
                f.write(f"{statements}\t{' '.join(statement.split())[:150]}\n")

    event.listen(Engine, "before_cursor_execute", count)
    counts_to = os.environ["SCAN_WORK_STATEMENTS"]

    def snapshot(_sig: int, _frame: object) -> None:
        with open(counts_to, "a") as f:
            f.write(f"{statements}\n")

    signal.signal(signal.SIGUSR1, snapshot)
    profile_to = os.environ.get("SCAN_WORK_PROFILE")
    if profile_to:
        profiler = cProfile.Profile()
        on = False

        def toggle(_sig: int, _frame: object) -> None:
            nonlocal on
            if on:
                profiler.disable()
                profiler.dump_stats(profile_to)
            else:
                profiler.enable()
            on = not on

        signal.signal(signal.SIGUSR2, toggle)
    app = create_app(Settings(log_level="WARNING"))
    server = uvicorn.Server(uvicorn_config(app, port=port, timeout_keep_alive=600))
    freeze_heap()  # as `edtech serve` does
    server.run()


if __name__ == "__main__":
    main()
