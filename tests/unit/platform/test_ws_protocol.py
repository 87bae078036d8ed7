"""The lighter websocket protocol keeps uvicorn's behaviour: messages in order, back-pressure,
keepalive pings and their timeout; and lets the handshake go once it is done."""

from __future__ import annotations

import asyncio
import base64
import os
from typing import Any

import pytest
import uvicorn

from edtech.platform.http.ws_protocol import Inbox, LeanWebSocketProtocol, WriteGate
from edtech.platform.serving import bind_socket, uvicorn_config


async def test_inbox_hands_items_over_in_order_and_waits_when_empty() -> None:
    inbox = Inbox()
    assert inbox.empty()
    inbox.put_nowait(1)
    inbox.put_nowait(2)
    assert inbox.qsize() == 2
    assert [await inbox.get(), await inbox.get()] == [1, 2]
    assert inbox.empty()
    waiting = asyncio.create_task(inbox.get())
    await asyncio.sleep(0)
    assert not waiting.done()
    inbox.put_nowait(3)
    assert await asyncio.wait_for(waiting, 1) == 3


async def test_a_cancelled_get_loses_nothing() -> None:
    inbox = Inbox()
    waiting = asyncio.create_task(inbox.get())
    await asyncio.sleep(0)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    inbox.put_nowait("kept")
    assert await inbox.get() == "kept"


async def test_write_gate_holds_writers_while_cleared() -> None:
    gate = WriteGate()
    assert await gate.wait() is True
    gate.clear()
    writers = [asyncio.create_task(gate.wait()) for _ in range(2)]
    await asyncio.sleep(0.01)
    assert not any(w.done() for w in writers)
    gate.set()
    assert await asyncio.gather(*writers) == [True, True]


async def echo(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while (message := await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    assert (await receive())["type"] == "websocket.connect"
    await send({"type": "websocket.accept"})
    while True:
        message = await receive()
        if message["type"] == "websocket.disconnect":
            return
        await send({"type": "websocket.send", "text": message["text"].upper()})


class Server:
    def __init__(self, **kw: Any) -> None:
        self.sock = bind_socket()
        self.port = self.sock.getsockname()[1]
        self.server = uvicorn.Server(uvicorn_config(echo, port=self.port, **kw))  # type: ignore[arg-type]
        self.server.capture_signals = lambda: _null()  # type: ignore[method-assign]

    async def __aenter__(self) -> Server:
        self.task = asyncio.create_task(self.server.serve(sockets=[self.sock]))
        while not self.server.started:
            await asyncio.sleep(0.01)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.server.should_exit = True
        await self.task
        self.sock.close()


class _null:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


async def handshake(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A raw client (the contract checker watches the `websockets` client's frames)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write(
        (
            "GET /ws?token=secret HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 2)
    assert b" 101 " in head
    return reader, writer


def masked_text(payload: bytes) -> bytes:
    mask = os.urandom(4)
    body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return bytes([0x81, 0x80 | len(payload)]) + mask + body


async def test_messages_round_trip_and_the_handshake_is_let_go() -> None:
    async with Server() as srv:
        reader, writer = await handshake(srv.port)
        for word in (b"a", b"b", b"c"):
            writer.write(masked_text(word))
        replies = [await asyncio.wait_for(reader.readexactly(3), 2) for _ in range(3)]
        assert replies == [b"\x81\x01A", b"\x81\x01B", b"\x81\x01C"]
        (protocol,) = [
            c for c in srv.server.server_state.connections if isinstance(c, LeanWebSocketProtocol)
        ]
        assert protocol.request is None
        assert protocol.response is None
        assert not getattr(protocol, "__dict__", {})  # every attribute is a slot
        assert protocol.queue.empty()
        writer.close()


async def test_keepalive_pings_and_closes_a_peer_that_never_answers() -> None:
    async with Server(ws_ping_interval=0.05, ws_ping_timeout=0.2) as srv:
        reader, writer = await handshake(srv.port)
        ping = await asyncio.wait_for(reader.readexactly(2), 2)
        assert ping[0] == 0x89  # a ping frame, unanswered
        rest = await asyncio.wait_for(reader.read(), 2)  # until the server closes
        assert b"keepalive ping timeout" in rest
        writer.close()


@pytest.mark.parametrize(
    ("line", "status"),
    [
        ("GET /ws?token=" + "a" * 9000 + " HTTP/1.1", b" 414 "),  # a request line past 8 KiB
        ("GET /ws HTTP/1.1\r\nX-Long: " + "a" * 9000, b" 431 "),  # a header line past it
    ],
)
async def test_a_handshake_websockets_refuses_is_answered_and_closed(
    line: str, status: bytes
) -> None:
    """The refusal was prepared and never sent: the client waited until it gave up."""
    async with Server() as srv:
        reader, writer = await asyncio.open_connection("127.0.0.1", srv.port)
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write(
            (
                f"{line}\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        answer = await asyncio.wait_for(reader.read(), 5)  # the answer, then the close
        assert answer.startswith(b"HTTP/1.1" + status), answer[:200]
        writer.close()
