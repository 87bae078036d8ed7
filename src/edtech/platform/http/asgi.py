"""The node's ASGI application: FastAPI, plus websocket endpoints served ahead of its stack.

An idle websocket keeps every coroutine frame between uvicorn and its endpoint alive for as long
as it is open: Starlette's error and exception middleware, ours, the router, the route's
exception wrapper. With thousands of sockets per node that is most of their memory, and none of
it is of use to a socket that does its own error handling and closes with documented codes.
`raw_websockets` maps an exact path to an ASGI app that gets the socket directly.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send


class NodeApp(FastAPI):
    """FastAPI whose `raw_websockets` paths bypass the middleware stack and the router."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.raw_websockets: dict[str, ASGIApp] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            raw = self.raw_websockets.get(scope["path"])
            if raw is not None:
                scope["app"] = self
                await raw(scope, receive, send)
                return
        await super().__call__(scope, receive, send)
