"""What a fast route's parity test compares it with: FastAPI's stack alone, on the same node."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI


@asynccontextmanager
async def stack_client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the same (running) node that bypasses its raw routes: FastAPI's stack only,
    the documented routes."""

    async def stack_only(scope: Any, receive: Any, send: Any) -> None:
        await app.stack(scope, receive, send)  # type: ignore[attr-defined]

    transport = httpx.ASGITransport(app=stack_only)
    async with httpx.AsyncClient(transport=transport, base_url="http://node") as client:
        yield client


def answer(r: httpx.Response) -> tuple[int, str, Any]:
    """Status, content type and body, less the problem's `instance` (the request's own URL)."""
    body = r.json()
    if isinstance(body, dict):
        body.pop("instance", None)
    return r.status_code, r.headers["content-type"], body
