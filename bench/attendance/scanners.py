"""A lean scanner fleet for the latency run: keep-alive HTTP/1.1 over raw asyncio streams.

httpx costs the load generator ~2.4 ms of CPU per request — on a 2-core machine that is CPU the
nodes under test do not get. Each `Scanner` is one device's connection with one request in
flight at a time, as a door scanner works; `Fleet.post` takes a free one.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any


class Scanner:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    async def post(self, head: bytes, body: bytes) -> tuple[int, Any]:
        self.writer.write(head + b"Content-Length: %d\r\n\r\n" % len(body) + body)
        status_line = await self.reader.readline()
        status = int(status_line.split(b" ", 2)[1])
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        return status, json.loads(await self.reader.readexactly(length))


class Fleet:
    """`size` scanners of one device key posting to `path` on host:port."""

    def __init__(self, host: str, port: int, path: str, device_key: str, size: int) -> None:
        self.host, self.port, self.size = host, port, size
        self.head = (
            f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
            f"Content-Type: application/json\r\nX-Device-Key: {device_key}\r\n"
        ).encode()
        self.free: asyncio.Queue[Scanner] = asyncio.Queue()
        self.all: list[Scanner] = []

    async def __aenter__(self) -> Fleet:
        for _ in range(self.size):
            scanner = Scanner(*await asyncio.open_connection(self.host, self.port))
            self.all.append(scanner)
            self.free.put_nowait(scanner)
        return self

    async def __aexit__(self, *_exc: object) -> None:
        for scanner in self.all:
            scanner.writer.close()

    async def post(self, payload: Any) -> tuple[int, Any]:
        scanner = await self.free.get()
        try:
            return await scanner.post(self.head, json.dumps(payload).encode())
        finally:
            self.free.put_nowait(scanner)
