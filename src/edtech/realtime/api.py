"""The `/ws` route: a raw ASGI endpoint that authenticates and hands the socket to `Connection`.

The token comes as `?token=` or as a `bearer.<token>` entry in `Sec-WebSocket-Protocol`; in the
latter case the client also offers `edtech.v1`, which the server selects (it never echoes the
token). Authentication failures are reported after the handshake, as close code 4001, because
browsers cannot read the status of a refused handshake.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, MutableSet
from typing import Any
from urllib.parse import parse_qs

from fastapi import FastAPI
from starlette.routing import WebSocketRoute
from starlette.types import Receive, Scope, Send

from edtech.kernel.errors import AuthenticationError
from edtech.platform.http.asgi import NodeApp
from edtech.platform.http.origins import normalize_origin, origin_allowed
from edtech.platform.observability.logging import get_logger
from edtech.realtime.connection import Connection, SocketContext
from edtech.realtime.lifecycle import Realtime
from edtech.realtime.protocol import CloseCode

log = get_logger(__name__)

SUBPROTOCOL = "edtech.v1"
BEARER_PREFIX = "bearer."


def token_from_scope(scope: Scope) -> tuple[str | None, str | None]:
    """(token, subprotocol to select) from the query string or the offered subprotocols."""
    offered: list[str] = list(scope.get("subprotocols") or [])
    chosen = SUBPROTOCOL if SUBPROTOCOL in offered else None
    for entry in offered:
        if entry.startswith(BEARER_PREFIX):
            return entry[len(BEARER_PREFIX) :], chosen
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    tokens = query.get("token")
    return (tokens[0] if tokens else None), chosen


class WebSocketEndpoint:
    """ASGI app behind `/ws`: the node's sockets (`connections`) and what each one needs.

    A handshake from a foreign page's `Origin` is refused with 403 before the upgrade
    (`platform.http.origins`); checked here rather than by a wrapping app, whose coroutine
    frame every idle socket would keep."""

    def __init__(
        self,
        sockets: SocketContext,
        connections: MutableSet[Connection],
        draining: Callable[[], bool],
        allowed_origins: Iterable[str],
    ) -> None:
        self.sockets = sockets
        self.connections = connections
        self.draining = draining
        self.allowed = frozenset(o if o == "*" else normalize_origin(o) for o in allowed_origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = await receive()
        if message["type"] != "websocket.connect":
            return
        if not origin_allowed(scope, self.allowed):
            await send({"type": "websocket.close", "code": 1008, "reason": "origin not allowed"})
            return
        token, subprotocol = token_from_scope(scope)
        accept: dict[str, Any] = {"type": "websocket.accept", "subprotocol": subprotocol}
        if self.draining():
            await send(accept)
            await _close(send, CloseCode.SERVER_RESTART, "server restart: reconnect")
            return
        auth: tuple[Any, float | None] | None = None
        if token:
            try:
                auth = await self.sockets.authenticate(token)
            except AuthenticationError:
                auth = None
            except Exception:
                log.exception("ws_auth_failed")
                auth = None
        await send(accept)
        if auth is None:
            self.sockets.metrics.closes.labels(str(int(CloseCode.AUTH_FAILED))).inc()
            await _close(send, CloseCode.AUTH_FAILED, "authentication failed")
            return
        # Nothing reads the scope after the handshake: let its headers and query string (the
        # token) go rather than keep them for the socket's life (memory per idle socket).
        scope["headers"] = []
        scope["query_string"] = b""
        del token, message  # this frame lives as long as the socket
        conn = Connection(self.sockets, send, auth[0], auth[1])
        self.connections.add(conn)
        self.sockets.metrics.connections.inc()
        try:
            await conn.run(receive)
        except Exception:  # never into uvicorn, which would drop the socket without a code
            log.exception("ws_connection_failed")
        finally:
            self.connections.discard(conn)
            self.sockets.metrics.connections.dec()


async def _close(send: Send, code: CloseCode, reason: str) -> None:
    await send({"type": "websocket.close", "code": int(code), "reason": reason})


def add_route(app: FastAPI, rt: Realtime) -> None:
    """`/ws` on the app, served by `rt`'s sockets; on a `NodeApp`, ahead of the middleware
    stack (memory per socket). The composition root calls it."""
    # A foreign page's handshake is refused (403) before the upgrade: see platform.http.origins.
    endpoint = WebSocketEndpoint(
        rt.sockets,
        rt.connections,
        lambda: rt.services.draining,
        rt.services.settings.allowed_origins,
    )
    app.router.routes.append(WebSocketRoute("/ws", endpoint, name="ws"))
    if isinstance(app, NodeApp):
        app.raw_websockets["/ws"] = endpoint
