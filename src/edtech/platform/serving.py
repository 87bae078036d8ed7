"""How a node is served by uvicorn: one place for the server options (CLI, tests, topology)."""

from __future__ import annotations

import gc
import os
import socket
import time
from collections.abc import Callable
from typing import Any

import uvicorn
from fastapi import FastAPI

from edtech.platform.http.ws_protocol import LeanWebSocketProtocol


def uvicorn_config(
    app: FastAPI,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    timeout_graceful_shutdown: int = 10,
    **kw: Any,
) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_config=None,  # our structlog set-up owns logging
        access_log=False,
        ws=LeanWebSocketProtocol,  # uvicorn's websockets-sansio, lighter per idle socket
        ws_per_message_deflate=False,  # ~50 KiB per connection; off by default (ARCHITECTURE §4)
        ws_max_size=64 * 1024,
        lifespan="on",
        proxy_headers=True,
        # Behind Caddy in compose the proxy is not on loopback: FORWARDED_ALLOW_IPS=* there.
        forwarded_allow_ips=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        timeout_graceful_shutdown=timeout_graceful_shutdown,
        **kw,
    )


RECLAIM_EVERY = 600.0
"""Seconds between the collector's complete collections (`FrozenSurvivors`)."""


def freeze_heap(reclaim_every: float = RECLAIM_EVERY) -> None:
    """Hide everything alive now — modules, the app, its routes, models and tables — from the
    garbage collector, and from then on what survives each full collection (`FrozenSurvivors`).

    A full collection then scans only what was created since the last one: measured on a node
    under load, 7 ms instead of 135–150 ms (the scan → board p99); with 2,000 sockets
    connected, 32–40 ms instead of 40–130 ms — a pause every request in flight sits out (the
    chat p99, docs/benchmarks.md). Call it once a process has built its app, before serving;
    not in a process that builds many apps (tests), whose frozen garbage would never be freed.
    Every `reclaim_every` seconds one full collection scans the whole heap (see
    `FrozenSurvivors`)."""
    gc.collect()
    gc.freeze()
    gc.callbacks.append(FrozenSurvivors(reclaim_every))


class FrozenSurvivors:
    """A garbage-collector callback: after each full collection, freeze what survived it.

    CPython collects the oldest generation in full once a quarter more objects have reached
    it, scanning every object of it: on a node, mostly the long-lived objects of its open
    sockets, which a collection finds alive every time. Frozen after the collection that found
    them alive, they are not scanned again; the next full collection looks only at newer ones.

    The price: a reference cycle that becomes garbage after it was frozen (a closed
    connection's objects, say) is not freed until the collector looks at it again. So every
    `reclaim_every` seconds the callback unfreezes instead: the next full collection scans the
    whole heap once — the long pause, paid once per period instead of at every full
    collection — reclaims those cycles, and freezes what survived it.
    """

    def __init__(self, reclaim_every: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._every = reclaim_every
        self._clock = clock
        self._reclaim_at = clock() + reclaim_every
        self.frozen = 0
        """Full collections after which the survivors were frozen."""
        self.reclaims = 0
        """Times the heap was unfrozen for a complete collection."""

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase != "stop" or info["generation"] != 2:
            return
        now = self._clock()
        if now >= self._reclaim_at:
            gc.unfreeze()
            self._reclaim_at = now + self._every
            self.reclaims += 1
        else:
            gc.freeze()
            self.frozen += 1


def bind_socket(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """Bind a listening socket (port 0: any free port), for servers started in tests."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock
