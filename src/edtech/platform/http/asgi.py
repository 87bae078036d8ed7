"""The node's ASGI application: FastAPI, plus websocket endpoints served ahead of its stack.

An idle websocket keeps every coroutine frame between uvicorn and its endpoint alive for as long
as it is open: Starlette's error and exception middleware, ours, the router, the route's
exception wrapper. With thousands of sockets per node that is most of their memory, and none of
it is of use to a socket that does its own error handling and closes with documented codes.
`raw_websockets` maps an exact path to an ASGI app that gets the socket directly.

`raw_http` does the same for a hot HTTP route, by method and path, where FastAPI's routing
and dependency machinery cost more than the work: such an app answers what it can and hands
anything else to `stack` — FastAPI's own handling, with its documented route — so the two never
answer differently. `fast_route.FastRouteApp` is such an app for a JSON route. A path is exact,
or a template with `{name}` segments (`add_raw_http`); a template's values reach the app in
`scope["path_params"]`, as strings, for it to parse and decline what does not.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from starlette.convertors import StringConvertor
from starlette.routing import compile_path
from starlette.types import ASGIApp, Receive, Scope, Send


class NodeApp(FastAPI):
    """FastAPI whose `raw_websockets` and `raw_http` paths bypass its middleware and router."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.raw_websockets: dict[str, ASGIApp] = {}
        self.raw_http: dict[tuple[str, str], ASGIApp] = {}
        self._raw_templates: list[tuple[str, re.Pattern[str], ASGIApp]] = []

    def add_raw_http(self, method: str, path: str, app: ASGIApp) -> None:
        """Serve `method path` with `app` ahead of the stack; `path` may be a template whose
        `{name}` segments match one segment each (no convertors: the app parses them)."""
        if "{" not in path:
            self.raw_http[(method, path)] = app
            return
        pattern, _, convertors = compile_path(path)
        if not all(isinstance(c, StringConvertor) for c in convertors.values()):
            raise ValueError(f"{path}: a raw route's parameters are plain segments")
        self._raw_templates.append((method, pattern, app))

    def _raw_http(self, scope: Scope) -> ASGIApp | None:
        method, path = scope["method"], scope["path"]
        raw = self.raw_http.get((method, path))
        if raw is not None or not self._raw_templates:
            return raw
        for template_method, pattern, app in self._raw_templates:
            if template_method == method and (found := pattern.match(path)) is not None:
                scope["path_params"] = found.groupdict()
                return app
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            raw = self._raw_http(scope)
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
