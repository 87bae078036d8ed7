"""A lean websocket load generator: raw asyncio protocols, so the client side costs little.

    python -m bench.loadgen --url ws://127.0.0.1:8101/ws --clients 500 --channel bench.room.<id>
        --tokens-file tokens.txt --out result.json --duration 30

It opens the sockets, subscribes each to the channel, then counts event frames per socket,
checks offsets are contiguous (completeness, order) and samples latency from each event's `ts`.

`--channels-file` (one channel a line) subscribes socket i to line i mod n instead (chat).
`--protocol socketio` speaks Socket.IO v5 over Engine.IO v4's websocket transport (the peers in
`bench/baselines/`): `40` connects to the main namespace, `421["subscribe",{"channel":…}]`
joins a room (acknowledged by `431[…]`), events arrive as `42["event",{"offset":n,"ts":…}]`
and the server's pings (`2`) are answered (`3`). The same regexes read offset and ts from both.
"""

# Scripts that coordinate processes through files and polling, on purpose.
# ruff: noqa: ASYNC110, ASYNC230, ASYNC240, SIM115

from __future__ import annotations

import argparse
import asyncio
import base64
import gc
import json
import os
import re
import struct
import time
from datetime import datetime
from urllib.parse import urlsplit

OFFSET = re.compile(rb'"offset":(\d+)')
TS = re.compile(rb'"ts":"([^"]+)"')


def _mask(payload: bytes) -> bytes:
    key = os.urandom(4)
    n = len(payload)
    header = bytes([0x81]) + (
        bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + struct.pack("!H", n)
    )
    masked = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
    return header + key + masked


class Socket(asyncio.Protocol):
    """One client: handshake, subscribe, then parse server frames (unmasked, unfragmented)."""

    def __init__(
        self, stats: Stats, host: str, path: str, channel: str, protocol: str = "edtech"
    ) -> None:
        self.sio = protocol == "socketio"
        self.stats = stats
        self.host = host
        self.path = path
        self.channel = channel
        self.buf = b""
        self.upgraded = False
        self.subscribed = asyncio.get_running_loop().create_future()
        self.last = 0
        self.count = 0
        self.bad_order = 0
        self.closed_code: int | None = None
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        key = base64.b64encode(os.urandom(16)).decode()
        transport.write(
            (
                f"GET {self.path} HTTP/1.1\r\nHost: {self.host}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                "Sec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )

    def data_received(self, data: bytes) -> None:
        self.buf += data
        if not self.upgraded:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head, self.buf = self.buf[:end], self.buf[end + 4 :]
            if b" 101 " not in head.split(b"\r\n", 1)[0]:
                self.subscribed.set_exception(RuntimeError(head[:80].decode()))
                return
            self.upgraded = True
            assert self.transport is not None
            if self.sio:
                pass  # wait for Engine.IO's open packet (`0{…}`)
            elif self.channel:
                sub = {"op": "subscribe", "ref": "s", "channel": self.channel}
                self.transport.write(_mask(json.dumps(sub).encode()))
            else:  # idle: authenticated only; a ping proves the socket is open
                self.transport.write(_mask(b'{"op":"ping","ref":"s"}'))
        buf = self.buf
        pos = 0
        while len(buf) - pos >= 2:
            b0, b1 = buf[pos], buf[pos + 1]
            n = b1 & 0x7F
            hdr = 2
            if n == 126:
                if len(buf) - pos < 4:
                    break
                n = struct.unpack_from("!H", buf, pos + 2)[0]
                hdr = 4
            elif n == 127:
                if len(buf) - pos < 10:
                    break
                n = struct.unpack_from("!Q", buf, pos + 2)[0]
                hdr = 10
            if len(buf) - pos < hdr + n:
                break
            payload = buf[pos + hdr : pos + hdr + n]
            pos += hdr + n
            opcode = b0 & 0x0F
            if opcode == 0x1:
                self.on_text(payload)
            elif opcode == 0x8:
                self.closed_code = (
                    struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
                )
            elif opcode == 0x9 and self.transport is not None:  # ping → pong
                self.transport.write(bytes([0x8A, 0x80 | len(payload)]) + b"\0\0\0\0" + payload)
        self.buf = buf[pos:]

    def on_sio(self, payload: bytes) -> None:
        assert self.transport is not None
        if payload.startswith(b'42["event"'):
            self.on_event(payload)
        elif payload == b"2":  # Engine.IO ping
            self.transport.write(_mask(b"3"))
        elif payload.startswith(b"0{"):  # Engine.IO open → connect to the main namespace
            self.transport.write(_mask(b"40"))
        elif payload.startswith(b"40"):
            if self.channel:
                sub = json.dumps(["subscribe", {"channel": self.channel}])
                self.transport.write(_mask(b"421" + sub.encode()))
            elif not self.subscribed.done():
                self.subscribed.set_result({"connected": True})
        elif payload.startswith(b"431") and not self.subscribed.done():
            self.subscribed.set_result(json.loads(payload[3:]))

    def on_text(self, payload: bytes) -> None:
        if self.sio:
            self.on_sio(payload)
        elif payload.startswith(b'{"op":"event"'):
            self.on_event(payload)
        elif b'"ref":"s"' in payload and not self.subscribed.done():
            self.subscribed.set_result(json.loads(payload))

    def on_event(self, payload: bytes) -> None:
        offset = int(OFFSET.search(payload).group(1))  # type: ignore[union-attr]
        if offset != self.last + 1:
            self.bad_order += 1
        self.last = offset
        self.count += 1
        stats = self.stats
        stats.delivered += 1
        now = time.time()
        if stats.first == 0.0:
            stats.first = now
        stats.last = now
        if self.count % self.stats.sample_every == 0:
            ts = TS.search(payload).group(1).decode()  # type: ignore[union-attr]
            self.stats.lat.append(time.time() - datetime.fromisoformat(ts).timestamp())

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.subscribed.done():
            self.subscribed.set_exception(ConnectionError("lost before subscribe"))


class Stats:
    def __init__(self, sample_every: int) -> None:
        self.delivered = 0
        self.first = 0.0
        self.last = 0.0
        self.lat: list[float] = []
        self.sample_every = sample_every


async def run(args: argparse.Namespace) -> dict[str, object]:
    parts = urlsplit(args.url)
    tokens = open(args.tokens_file).read().split()
    channels = open(args.channels_file).read().split() if args.channels_file else []
    channels = channels or [args.channel]
    stats = Stats(args.sample_every)
    loop = asyncio.get_running_loop()
    sockets: list[Socket] = []

    async def open_one(i: int) -> None:
        if args.protocol == "socketio":
            path = "/socket.io/?EIO=4&transport=websocket"
        else:
            path = f"{parts.path}?token={tokens[i % len(tokens)]}"
        channel = channels[(args.first + i) % len(channels)]
        _t, proto = await loop.create_connection(
            lambda: Socket(stats, parts.netloc, path, channel, args.protocol),
            parts.hostname,
            parts.port,
        )
        await asyncio.wait_for(proto.subscribed, 60)
        sockets.append(proto)

    for start in range(0, args.clients, 100):
        await asyncio.gather(*(open_one(i) for i in range(start, min(args.clients, start + 100))))
    # The sockets stay for the run: a full collection scanning them would delay the arrivals
    # this process timestamps (tens of ms per collection, read as the system's latency).
    gc.collect()
    gc.freeze()
    with open(args.ready_file, "w") as f:
        f.write("ready")
    deadline = time.monotonic() + args.duration
    while time.monotonic() < deadline and not os.path.exists(args.stop_file):
        await asyncio.sleep(0.1)
    await asyncio.sleep(args.settle)
    return {
        "clients": len(sockets),
        "delivered": stats.delivered,
        "first_at": stats.first,
        "last_at": stats.last,
        "per_socket": [s.count for s in sockets],
        "channels": [s.channel for s in sockets],
        "last_offsets": [s.last for s in sockets],
        "out_of_order": sum(s.bad_order for s in sockets),
        "closed": [s.closed_code for s in sockets if s.closed_code is not None],
        "latency_samples": stats.lat,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--clients", type=int, required=True)
    parser.add_argument("--channel", default="")
    parser.add_argument("--channels-file", default="")
    parser.add_argument("--first", type=int, default=0, help="socket i takes channel first+i")
    parser.add_argument("--protocol", choices=["edtech", "socketio"], default="edtech")
    parser.add_argument("--tokens-file", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--ready-file", required=True)
    parser.add_argument("--stop-file", required=True)
    parser.add_argument("--duration", type=float, default=600)
    parser.add_argument("--settle", type=float, default=3.0)
    parser.add_argument("--sample-every", type=int, default=10)
    args = parser.parse_args()
    result = asyncio.run(run(args))
    with open(args.out, "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()
