"""The node's ASGI application: FastAPI, plus websocket endpoints served ahead of its stack.

An idle websocket keeps every coroutine frame between uvicorn and its endpoint alive for as long
as it is open: Starlette's error and exception middleware, ours, the router, the route's
exception wrapper. With thousands of sockets per node that is most of their memory, and none of
it is of use to a socket that does its own error handling and closes with documented codes.
`raw_websockets` maps an exact path to an ASGI app that gets the socket directly.

`raw_http` does the same for a hot HTTP route, by method and exact path, where FastAPI's
routing and dependency machinery cost more than the work: such an app answers what it can and
hands anything else to `stack` — FastAPI's own handling, with its documented route — so the two
never answer differently. `fast_route.FastRouteApp` is such an app for a JSON route.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send


class NodeApp(FastAPI):
    """FastAPI whose `raw_websockets` and `raw_http` paths bypass its middleware and router."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.raw_websockets: dict[str, ASGIApp] = {}
        self.raw_http: dict[tuple[str, str], ASGIApp] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            raw = self.raw_http.get((scope["method"], scope["path"]))
        elif kind == "websocket":
            raw = self.raw_websockets.get(scope["path"])
        else:
            raw = None
        if raw is not None:
            scope["app"] = self
            await raw(scope, receive, send)
            return
        await super().__call__(scope, receive, send)

    async def stack(self, scope: Scope, receive: Receive, send: Send) -> None:
        """FastAPI's own handling of a request (what a `raw_http` app hands over)."""
        await super().__call__(scope, receive, send)
