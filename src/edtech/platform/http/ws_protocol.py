"""uvicorn's sans-I/O websocket protocol, made lighter for sockets that are mostly idle.

A node holds thousands of authenticated sockets that say nothing for minutes. Measured with
tracemalloc (`bench/idle_profile.py`), uvicorn's `WebSocketsSansIOProtocol` kept per socket:
an instance `__dict__` of ~35 attributes (1.5 KiB), an `asyncio.Queue` (three deques and an
`Event` with a fourth: 3 KiB, for a queue that holds nothing while idle), an `asyncio.Event`
for write back-pressure (another deque, 0.75 KiB) and the handshake's request and response
with their headers (2 KiB, never read after the handshake). `LeanWebSocketProtocol` is the same
protocol — every method is uvicorn's, so keepalive pings and their timeout, back-pressure
(`pause_writing`), closing and shutdown behave alike — with slots, a one-consumer inbox, a
small write gate, and the handshake's request and response let go once it is done. One fix on
top: a handshake websockets itself refuses (a line past 8 KiB) gets the 414 or 431 it prepared,
which uvicorn never sent.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.http11 import Request


class Inbox:
    """What `asyncio.Queue` does for the protocol — `put_nowait`, `get`, `empty` — for one
    consumer (the ASGI app's `receive`), holding nothing while empty."""

    __slots__ = ("_items", "_waiter")

    def __init__(self) -> None:
        self._items: list[Any] | None = None
        self._waiter: asyncio.Future[None] | None = None

    def put_nowait(self, item: Any) -> None:
        if self._items is None:
            self._items = [item]
        else:
            self._items.append(item)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def empty(self) -> bool:
        return not self._items

    def qsize(self) -> int:
        return len(self._items) if self._items else 0

    async def get(self) -> Any:
        while not self._items:
            waiter = self._waiter = asyncio.get_running_loop().create_future()
            try:
                await waiter
            finally:
                self._waiter = None
        items = self._items
        item = items.pop(0)
        if not items:
            self._items = None
        return item


class WriteGate:
    """What `asyncio.Event` does for the protocol's `writable` — `set`, `clear`, `is_set`,
    `wait` — with no waiter list until a writer has to wait."""

    __slots__ = ("_open", "_waiters")

    def __init__(self) -> None:
        self._open = True
        self._waiters: list[asyncio.Future[None]] | None = None

    def is_set(self) -> bool:
        return self._open

    def set(self) -> None:
        self._open = True
        waiters, self._waiters = self._waiters, None
        for waiter in waiters or ():
            if not waiter.done():
                waiter.set_result(None)

    def clear(self) -> None:
        self._open = False

    async def wait(self) -> bool:
        if self._open:
            return True
        waiter = asyncio.get_running_loop().create_future()
        if self._waiters is None:
            self._waiters = []
        self._waiters.append(waiter)
        await waiter
        return True


class LeanWebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's `websockets-sansio` protocol with less kept per socket (see the module)."""

    __slots__ = (
        "app",
        "app_state",
        "asgi_version",
        "client",
        "close_sent",
        "close_timeout",
        "close_timer",
        "config",
        "conn",
        "connections",
        "curr_msg_data_type",
        "default_headers",
        "disconnected",
        "frames",
        "handshake_complete",
        "handshake_initiated",
        "initial_response",
        "last_ping_rtt",
        "logger",
        "loop",
        "pending_ping_payload",
        "ping_interval",
        "ping_sent_at",
        "ping_timeout",
        "ping_timer",
        "pong_timer",
        "queue",
        "read_paused",
        "request",
        "response",
        "root_path",
        "scheme",
        "scope",
        "server",
        "tasks",
        "transport",
        "writable",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.queue = Inbox()  # type: ignore[assignment]
        self.writable = WriteGate()  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if not self.handshake_initiated and self.conn.handshake_exc is not None:
            # websockets refused the handshake itself — a request line past 8 KiB (a long
            # token in the query), a header past it, too many headers — and holds its 414 or
            # 431 ready; uvicorn writes only what follows an event, so the client heard nothing
            # and the connection hung. Send the answer and close. (Every frame after the
            # handshake stops at the first test.)
            self.transport.write(b"".join(self.conn.data_to_send()))
            self.transport.close()

    def handle_connect(self, event: Request) -> None:
        super().handle_connect(event)
        self.request = None  # type: ignore[assignment]  # read only above
        # websockets' parser keeps the request for the socket's life (a local of its suspended
        # generator): empty it once the scope and the response are built from it.
        event.path = ""
        event.headers.clear()

    async def send(self, message: Any) -> None:
        await super().send(message)
        if self.handshake_complete:
            self.response = None  # type: ignore[assignment]  # read only before the handshake
