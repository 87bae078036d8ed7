"""One edtech node for the benchmark, in its own process (client and server share no loop).

With `EDTECH_BENCH_PROFILE=<file>` the node runs under cProfile and writes its statistics
to that file when it stops (read them with `python -m pstats <file>`).
"""

from __future__ import annotations

import cProfile
import os
import signal
import sys

import uvicorn

from edtech.app import create_app
from edtech.platform.serving import freeze_heap, uvicorn_config
from edtech.settings import Settings


def main() -> None:
    port = int(sys.argv[1])
    app = create_app(Settings(log_level="WARNING"))
    server = uvicorn.Server(uvicorn_config(app, port=port))
    freeze_heap()  # as `edtech serve` does
    profile_to = os.environ.get("EDTECH_BENCH_PROFILE")
    if not profile_to:
        server.run()
        return
    # uvicorn re-raises the SIGTERM it handled once it has stopped: ignore that one, so the
    # statistics get written.
    signal.signal(signal.SIGTERM, lambda _sig, _frame: None)
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        server.run()
    finally:
        profiler.disable()
        profiler.dump_stats(profile_to)


if __name__ == "__main__":
    main()
