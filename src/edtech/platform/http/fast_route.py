"""A hot route served ahead of FastAPI's stack, that hands every refusal to the documented route.

Some requests come so often and cost so little that FastAPI's routing over every route, its
middleware layers and its dependency solving cost more than the work (a scanner posts a request
per tap). A `FastRouteApp` answers the common case of such a route itself: a JSON body of declared
length within the limit, with the headers it needs, that its handler accepts. Anything else —
another content type, a chunked or oversized body, a missing header, or a request the handler
declines (invalid, unauthenticated) — goes to FastAPI's stack with the body replayed, so the
route documented in the OpenAPI words every refusal and the two never answer differently.
What the stack's middleware does for every route goes there too: a request from a browser
(an `Origin` header: CORS is the stack's) and one that carries an escaped NUL or a lone
surrogate in its body or `%00` in its query (`NulGuardMiddleware` words that refusal, or lets
plain text through).

A slice declares one in its manifest (`edtech.manifest.FastRoute`, building a `FastRouteApp`);
the composition root puts it on the node (`NodeApp.add_raw_http`: an exact path or a
template), wrapped in the request middleware so the access log and the request metrics see it
under its route template like any other route. ADR-0017 says which routes are fast.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.types import Message, Receive, Scope, Send

from edtech.platform.http.asgi import NodeApp
from edtech.platform.http.middleware import content_length
from edtech.platform.http.problems import respond_with_problem
from edtech.platform.text import holds_lone_surrogate

JSON = b"application/json"
ESCAPED_NUL = b"\\u0000"
"""How a NUL reaches a JSON body (a raw one is not JSON); the stack's guard judges it."""


@dataclass(frozen=True, slots=True)
class FastRequest:
    """A request a fast route may answer: its node, its headers and its whole body."""

    app: NodeApp
    headers: dict[bytes, bytes]
    """Lower-case names; of repeated headers the first, as Starlette reads them."""
    body: bytes
    path_params: dict[str, str]
    """A template path's segments by name, unparsed (`NodeApp.add_raw_http`)."""

    def header(self, name: bytes) -> str | None:
        value = self.headers.get(name)
        return value.decode("latin-1") if value is not None else None


@dataclass(frozen=True, slots=True)
class FastAnswer:
    """A fast route's JSON answer and its status."""

    body: bytes
    status: int = 200


FastHandler = Callable[[FastRequest], Awaitable[FastAnswer | None]]
"""Answers with a JSON body, or `None` to hand the request to the documented route. An
exception is answered as FastAPI's exception handlers would answer it."""


class FastRouteApp:
    """The raw ASGI app of a fast route (see the module's docstring): it takes a JSON body of
    declared length up to `max_body_bytes` with every header in `requires`, and serves it
    with `handler`; anything else, and whatever the handler declines, goes to `app.stack`."""

    def __init__(
        self,
        app: NodeApp,
        path: str,
        handler: FastHandler,
        *,
        max_body_bytes: int,
        requires: tuple[bytes, ...] = (),
    ) -> None:
        self.app = app
        self.handler = handler
        self.max_body_bytes = max_body_bytes
        self.requires = requires
        self._required = frozenset(requires)
        # What the access log and the request metrics read the route template from.
        self.route = _Template(path)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers: dict[bytes, bytes] = {}
        for name, value in scope["headers"]:
            headers.setdefault(name, value)  # the first of repeated headers, as Starlette reads
        scope["route"] = self.route
        if not self._takes(scope, headers):
            await self.app.stack(scope, receive, send)
            return
        body = await _read_body(receive)
        if body is None:  # the client went away
            return
        replay = _replaying(body, receive)
        if ESCAPED_NUL in body or holds_lone_surrogate(body):
            await self.app.stack(scope, replay, send)
            return
        request = FastRequest(self.app, headers, body, scope.get("path_params", {}))
        try:
            answer = await self.handler(request)
        except Exception as exc:  # as FastAPI's exception handlers would answer it
            await respond_with_problem(scope, replay, send, exc)
            return
        if answer is None:
            await self.app.stack(scope, replay, send)
            return
        await send(
            {
                "type": "http.response.start",
                "status": answer.status,
                "headers": [
                    (b"content-type", JSON),
                    (b"content-length", str(len(answer.body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": answer.body})

    def _takes(self, scope: Scope, headers: dict[bytes, bytes]) -> bool:
        """A JSON body of declared length within the limit, the headers the handler needs, and
        nothing the stack's middleware is for (a browser's `Origin`, a NUL in the query)."""
        content_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        length = content_length(scope)
        if content_type != JSON or length is None or not 0 <= length <= self.max_body_bytes:
            return False
        if b"origin" in headers or b"%00" in scope.get("query_string", b""):
            return False
        return headers.keys() >= self._required  # in C: no generator per request


@dataclass(frozen=True, slots=True)
class _Template:
    path: str


async def _read_body(receive: Receive) -> bytes | None:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """`receive` for the stack: the body already read, then whatever the client sends next."""
    pending = True

    async def replay() -> Message:
        nonlocal pending
        if pending:
            pending = False
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
