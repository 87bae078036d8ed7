"""An unhandled error ends as a 500 problem with a correlation id, and the connection lives.

Over a real uvicorn server and one raw TCP connection: before, the exception reached uvicorn,
which logged "Exception in ASGI application" and closed the socket after the 500, so the
client's next request on that keep-alive connection was reset (issue #14, defect 4).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI

from edtech.app import create_app
from edtech.settings import Settings
from tests.servers import LiveServer


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    app = create_app(settings)

    async def boom() -> None:
        raise RuntimeError("a bug nobody handled")

    app.add_api_route("/test/boom", boom, methods=["GET"])
    return app


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.events: list[dict[str, Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if isinstance(record.msg, dict):
            self.events.append(record.msg)


@pytest.fixture
def records() -> Iterator[Records]:
    handler = Records()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str
) -> tuple[int, dict[str, str], bytes]:
    writer.write(f"GET {path} HTTP/1.1\r\nHost: test\r\nConnection: keep-alive\r\n\r\n".encode())
    await writer.drain()
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {
        k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines if line)
    }
    body = await asyncio.wait_for(reader.readexactly(int(headers["content-length"])), 10)
    return int(status_line.split()[1]), headers, body


async def test_an_unhandled_error_is_a_500_problem_and_the_connection_lives(
    live_server: LiveServer, records: Records
) -> None:
    host, port = live_server.url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        status, headers, body = await _exchange(reader, writer, "/test/boom")
        assert status == 500
        assert headers["content-type"].startswith("application/problem+json")
        problem = json.loads(body)
        assert problem["status"] == 500
        assert problem["code"] == "internal"
        assert "a bug nobody handled" not in body.decode()
        correlation_id = problem["correlation_id"]
        assert correlation_id == headers["x-request-id"]
        assert any(
            e.get("event") == "unhandled_error" and e.get("correlation_id") == correlation_id
            for e in records.events
        ), records.events

        # The same TCP connection serves the next request.
        status, _, body = await _exchange(reader, writer, "/healthz")
        assert status == 200, body
    finally:
        writer.close()
        await writer.wait_closed()
