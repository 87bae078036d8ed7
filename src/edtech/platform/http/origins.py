"""Which browser origins may use the node: the websocket handshake's `Origin` check and CORS.

Browsers send cookies and credentials with a cross-site websocket handshake and do not apply
CORS to it, so the server must look at `Origin` itself (RFC 6455 §10.2) or any page on the web
could open a socket in a signed-in user's name. The rule, for sockets and REST alike: the page's
own origin (the `Host` the request came to) is always allowed, others only when listed in
`EDTECH_ALLOWED_ORIGINS`. A request without `Origin` is not from a browser page (native apps,
scanners, curl) and is allowed; its token is what authenticates it.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def normalize_origin(origin: str) -> str:
    """`scheme://host[:port]`, lower-case, default port dropped (how browsers send `Origin`)."""
    parts = urlsplit(origin.strip().lower())
    if not parts.scheme or not parts.hostname:
        return origin.strip().lower()
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    port = parts.port
    if port is None or port == DEFAULT_PORTS.get(parts.scheme):
        return f"{parts.scheme}://{host}"
    return f"{parts.scheme}://{host}:{port}"


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


def origin_allowed(scope: Scope, allowed: frozenset[str]) -> bool:
    """No `Origin`, the request's own host, `*`, or a listed origin."""
    origin = _header(scope, b"origin")
    if origin is None:
        return True
    if "*" in allowed:
        return True
    normalized = normalize_origin(origin)
    if normalized in allowed:
        return True
    # Same origin: the page was served by the host this handshake is addressed to. The scheme
    # is not compared — behind a TLS-terminating proxy the node itself sees plain HTTP.
    host = _header(scope, b"host")
    parts = urlsplit(normalized)
    if host is None or not parts.hostname:  # no host to compare, or `Origin: null`
        return False
    own = urlsplit(f"{parts.scheme}://{host.strip().lower()}")
    default = DEFAULT_PORTS.get(parts.scheme)
    return parts.hostname == own.hostname and (parts.port or default) == (own.port or default)


class WebSocketOriginCheck:
    """Pure ASGI: refuses a websocket handshake from a foreign `Origin` with HTTP 403, before
    the upgrade (an ASGI `websocket.close` before `accept` is answered with 403)."""

    def __init__(self, app: ASGIApp, allowed: Iterable[str]) -> None:
        self.app = app
        self.allowed = frozenset(normalize_origin(o) if o != "*" else o for o in allowed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket" or origin_allowed(scope, self.allowed):
            await self.app(scope, receive, send)
            return
        message = await receive()
        if message["type"] == "websocket.connect":
            await send({"type": "websocket.close", "code": 1008, "reason": "origin not allowed"})


def install_cors(app: FastAPI, allowed: Iterable[str]) -> None:
    """CORS for the REST API when cross-origin pages are allowed; none by default (browsers then
    refuse cross-origin calls). Bearer tokens, not cookies, authenticate: no credentials mode."""
    origins = [o if o == "*" else normalize_origin(o) for o in allowed]
    if not origins:
        return
    app.add_middleware(
        CORSMiddleware,
        allow_origins=origins,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-Request-ID"],
        expose_headers=["X-Request-ID", "Location"],
        max_age=600,
    )
