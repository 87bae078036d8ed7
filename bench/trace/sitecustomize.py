"""What a slow request shared its node with: a tracer for `edtech serve` nodes under a benchmark.

Put this directory first on the path of the benchmark (its nodes inherit the environment) and
name a directory for the traces:

    EDTECH_TRACE_DIR=/tmp/tr PYTHONPATH=bench/trace \\
        uv run python -m bench.grades.publish_fanout --rounds 30 --students 35

Each `edtech serve` process then writes `trace-<pid>.log` there: one `REQ` line per request whose
path ends with `EDTECH_TRACE_PATH` (default `/publications`) — wall time, the process's CPU
and run-queue wait during it (`/proc/self/schedstat`), its statements and their summed time —
and, for those slower than `EDTECH_TRACE_SLOW_MS` (default 85), each statement (start offset,
duration, text), every stall of the event loop over 4 ms (a 2-ms ticker that woke late: some
other task held the loop), and the node's other work that overlapped it: other HTTP requests,
background jobs, the publisher's batches and marking, the delivery notes' flushes.

Nothing here changes what a node does; it costs a few percent of its CPU. Patches private
methods of SQLAlchemy's asyncpg adapter (2.1) and FastAPI's `__call__`: a tool for a session's
investigation, not a test.
"""

from __future__ import annotations

import asyncio
import contextvars
import os
import sys
import time
from collections.abc import Callable
from typing import Any

SLOW = float(os.environ.get("EDTECH_TRACE_SLOW_MS", "85")) / 1000
PATH = os.environ.get("EDTECH_TRACE_PATH", "/publications")
STALL = 0.004
TICK = 0.002

now = time.perf_counter
statements: contextvars.ContextVar[list[tuple[float, float, str]] | None] = contextvars.ContextVar(
    "traced_statements", default=None
)
stalls: list[tuple[float, float]] = []
spans: list[list[Any]] = []  # [start, end or None, label]


def remember(where: list[Any], item: Any) -> None:
    where.append(item)
    del where[:-400]


def schedstat() -> tuple[float, float]:
    """This process's CPU time and time spent waiting for a CPU, in ms."""
    with open("/proc/self/schedstat") as f:
        ran, waited, _ = f.read().split()
    return int(ran) / 1e6, int(waited) / 1e6


async def ticker() -> None:
    while True:
        started = now()
        await asyncio.sleep(TICK)
        late = now() - started - TICK
        if late > STALL:
            remember(stalls, (started, late))


def timed_statements(cls: Any, name: str) -> None:
    original = getattr(cls, name)

    async def timed(self: Any, operation: str, parameters: Any) -> Any:
        started = now()
        try:
            return await original(self, operation, parameters)
        finally:
            seen = statements.get()
            if seen is not None:
                seen.append((started, now() - started, " ".join(operation.split())[:80]))

    setattr(cls, name, timed)


def as_span(cls: Any, name: str, label: Callable[[Any, tuple[Any, ...]], str]) -> None:
    original = getattr(cls, name)

    async def spanned(self: Any, *args: Any, **kwargs: Any) -> Any:
        span = [now(), None, label(self, args)]
        remember(spans, span)
        try:
            return await original(self, *args, **kwargs)
        finally:
            span[1] = now()

    setattr(cls, name, spanned)


def install(directory: str) -> None:
    import fastapi
    from sqlalchemy.dialects.postgresql import asyncpg as adapter

    from edtech.platform.jobs.runner import JobRunner
    from edtech.realtime.deliveries import DeliveryNotes
    from edtech.realtime.relay import Publisher

    out = open(f"{directory}/trace-{os.getpid()}.log", "a", buffering=1)  # noqa: SIM115
    cursor = adapter.AsyncAdapt_asyncpg_cursor
    timed_statements(cursor, "_prepare_and_execute")
    timed_statements(cursor, "_executemany")
    connection = adapter.AsyncAdapt_asyncpg_connection
    finish = connection._call_and_discard

    async def finished(self: Any, fn: Any) -> Any:
        started = now()
        try:
            return await finish(self, fn)
        finally:
            seen = statements.get()
            if seen is not None:
                seen.append((started, now() - started, "COMMIT / ROLLBACK"))

    connection._call_and_discard = finished  # type: ignore[method-assign]
    as_span(JobRunner, "_work", lambda _, args: f"job {args[0].name}")
    as_span(Publisher, "publish", lambda _, args: f"publisher: {len(args[0])} rows")
    as_span(Publisher, "_mark", lambda _, args: "publisher: marking")
    as_span(DeliveryNotes, "flush", lambda _, args: "delivery notes: flush")

    serve = fastapi.FastAPI.__call__
    ticking: list[asyncio.Task[None]] = []

    async def call(self: Any, scope: Any, receive: Any, send: Any) -> None:
        if not ticking and scope["type"] in ("http", "websocket"):
            ticking.append(asyncio.get_running_loop().create_task(ticker()))
        if scope["type"] != "http":
            return await serve(self, scope, receive, send)
        span: list[Any] = [now(), None, f"http {scope['method']} …{scope['path'][-28:]}"]
        remember(spans, span)
        traced = scope["path"].endswith(PATH)
        seen: list[tuple[float, float, str]] = []
        if traced:
            statements.set(seen)
        cpu, waited = schedstat()
        try:
            return await serve(self, scope, receive, send)
        finally:
            span[1] = end = now()
            if traced:
                started, took = span[0], end - span[0]
                cpu_end, waited_end = schedstat()
                out.write(
                    f"REQ {started:.4f} {took * 1000:.1f} ms, process cpu "
                    f"{cpu_end - cpu:.1f} ms, waited for a cpu {waited_end - waited:.1f} ms, "
                    f"{len(seen)} statements {sum(s[1] for s in seen) * 1000:.1f} ms\n"
                )
                if took > SLOW:
                    for at, lasted, text in seen:
                        out.write(f"   {(at - started) * 1000:+7.1f} {lasted * 1000:6.1f} {text}\n")
                    for at, late in stalls:
                        if started - 0.01 < at < end:
                            out.write(f"   stall {(at - started) * 1000:+7.1f} {late * 1000:.1f}\n")
                    for a, b, label in spans:
                        if a < end and (b is None or b > started) and label is not span[2]:
                            since, upto = (a - started) * 1000, ((b or now()) - started) * 1000
                            out.write(f"   with {since:+7.1f} .. {upto:+7.1f} {label}\n")

    fastapi.FastAPI.__call__ = call  # type: ignore[method-assign]


if os.environ.get("EDTECH_TRACE_DIR") and "serve" in sys.argv:
    install(os.environ["EDTECH_TRACE_DIR"])
