"""Pure ASGI middleware: request id, access log and request metrics; the request body limit."""

from __future__ import annotations

import time
import uuid

import structlog
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from edtech.platform.http.problems import internal_error, problem
from edtech.platform.observability.logging import get_logger
from edtech.platform.observability.metrics import HttpMetrics
from edtech.platform.text import (
    escapes_nul,
    holds_lone_surrogate,
    may_escape_surrogate,
    unfinished_tail,
)

log = get_logger("edtech.http")
REQUEST_ID_HEADER = b"x-request-id"


class RequestContextMiddleware:
    """Give every request an id (the caller's `X-Request-ID` if sane), log it, measure it.

    It also answers any error nothing else handled: a 500 problem carrying the request id as
    `correlation_id` (the same id is in the error's log line), and the connection lives on.
    """

    def __init__(self, app: ASGIApp, metrics: HttpMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or "request_id" in scope.get("state", {}):
            await self.app(scope, receive, send)  # (or an outer one, ahead of a raw route, has)
            return
        request_id = _incoming_request_id(scope) or uuid.uuid4().hex
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        scope.setdefault("state", {})["request_id"] = request_id
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return
        status = 500
        started = time.perf_counter()
        response_started = response_complete = False

        async def send_wrapper(message: Message) -> None:
            nonlocal status, response_started, response_complete
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER, request_id.encode()))
                message["headers"] = headers
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                response_complete = True
            await send(message)

        try:
            try:
                await self.app(scope, receive, send_wrapper)
            except Exception as exc:
                # Letting it reach the server makes uvicorn log "Exception in ASGI application"
                # and close the connection, resetting the client's next keep-alive request.
                # Only a half-sent response has to end that way: the client must not take it
                # for whole.
                if response_started and not response_complete:
                    raise
                log.error(
                    "unhandled_error",
                    path=scope["path"],
                    correlation_id=request_id,
                    exc_info=exc,
                )
                if not response_started:
                    await internal_error(scope["path"], request_id)(scope, receive, send_wrapper)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            method = scope["method"]
            self.metrics.requests.labels(method, template, str(status)).inc()
            self.metrics.latency.labels(method, template).observe(elapsed)
            log.info(
                "request",
                method=method,
                path=scope["path"],
                route=template,
                status=status,
                ms=round(elapsed * 1000, 2),
            )


def _incoming_request_id(scope: Scope) -> str | None:
    for key, value in scope.get("headers", []):
        if key == REQUEST_ID_HEADER:
            text: str = value.decode("latin-1")
            if 0 < len(text) <= 128 and text.replace("-", "").isalnum():
                return text
    return None


class BodyTooLarge(HTTPException):
    """Raised from `receive` once a streamed body crosses the limit; rendered as 413."""

    code = "body_too_large"

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is over the limit of {limit} bytes.")
        self.extra = {"limit": limit}


class BodyLimitMiddleware:
    """Refuse request bodies over `max_bytes` with 413 problem+json before they are read.

    A declared `Content-Length` over the limit is refused at once; a chunked body is counted as
    it streams and refused when it crosses the limit, so nothing of it is acted upon. (FastAPI's
    own `max_body_size` answers a declared length with a `text/plain` 413, not problem JSON.)
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = content_length(scope)
        if declared is not None and declared > self.max_bytes:
            too_large = BodyTooLarge(self.max_bytes)
            response = problem(
                413,
                too_large.detail,
                code=too_large.code,
                instance=scope.get("path"),
                extra=too_large.extra,
            )
            await response(scope, receive, send)
            return
        seen = 0

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        await self.app(scope, counting_receive, send)


def content_length(scope: Scope) -> int | None:
    """The declared `Content-Length`, or None (absent, or not a number)."""
    for key, value in scope.get("headers", []):
        if key == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class NulCharacter(HTTPException):
    """A NUL character in a text input: PostgreSQL cannot store it, so it is refused (422)."""

    code = "nul_character"

    def __init__(self, where: list[str | int]) -> None:
        super().__init__(422, "Text may not contain the NUL character (U+0000).")
        self.extra = {
            "errors": [{"loc": where, "msg": "may not contain U+0000", "type": "nul_character"}]
        }


class LoneSurrogate(HTTPException):
    """A lone surrogate in a JSON body: no character, and no database can store it (422)."""

    code = "lone_surrogate"

    def __init__(self, where: list[str | int]) -> None:
        super().__init__(
            422, "Text may not contain a lone surrogate (\\ud800–\\udfff escaped without its pair)."
        )
        self.extra = {
            "errors": [
                {"loc": where, "msg": "may not contain a lone surrogate", "type": "lone_surrogate"}
            ]
        }


class NulGuardMiddleware:
    """Refuse the NUL character in query strings and in JSON or form bodies, and a lone
    surrogate in JSON bodies, on every route.

    PostgreSQL text cannot hold U+0000 (SQLite can, so the same input would work on one
    dialect and fail with a 500 on the other). One guard at the edge covers every text field of
    every slice. In JSON a NUL can only arrive escaped (`\\u0000`, digits only, so one byte
    search finds it; an escaped backslash before it makes it plain text), in a query string or
    a form as `%00`. The body is checked as it streams, like the body limit.

    A lone surrogate (`"\\ud800"`, a half of a pair without the other) is valid JSON syntax
    that the route's parser lets through as text neither database can encode: a 500 at the
    insert, on both. It too can only arrive escaped (raw, it is not UTF-8); a body with a
    surrogate escape is decoded once more, whole, to tell a lone one from a pair
    (`platform.text.holds_lone_surrogate`).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        name = _nul_query_parameter(scope.get("query_string", b""))
        if name is not None:
            refused = NulCharacter(["query", name])
            response = problem(
                422,
                refused.detail,
                code=refused.code,
                instance=scope.get("path"),
                extra=refused.extra,
            )
            await response(scope, receive, send)
            return
        kind = _content_type(scope)
        finder: _JsonNul | _FormNul
        surrogates: _JsonSurrogates | None = None
        if kind == "application/json" or kind.endswith("+json"):
            finder = _JsonNul()
            surrogates = _JsonSurrogates()
        elif kind == "application/x-www-form-urlencoded":
            finder = _FormNul()
        else:
            await self.app(scope, receive, send)
            return

        async def checking_receive() -> Message:
            message = await receive()
            if message["type"] != "http.request":
                return message
            chunk = message.get("body", b"")
            if finder.feed(chunk):
                raise NulCharacter(["body"])
            if surrogates is not None and surrogates.feed(chunk, message.get("more_body", False)):
                raise LoneSurrogate(["body"])
            return message

        await self.app(scope, checking_receive, send)


def _nul_query_parameter(query: bytes) -> str | None:
    if b"%00" not in query:
        return None
    for pair in query.split(b"&"):
        if b"%00" in pair:
            return pair.partition(b"=")[0].decode("latin-1")
    return None  # pragma: no cover - the search above found one


def _content_type(scope: Scope) -> str:
    for key, value in scope.get("headers", []):
        if key == b"content-type":
            return str(value.decode("latin-1").partition(";")[0].strip().lower())
    return ""


class _FormNul:
    """Finds `%00` across chunk boundaries."""

    def __init__(self) -> None:
        self.tail = b""

    def feed(self, chunk: bytes) -> bool:
        data = self.tail + chunk
        self.tail = data[-2:]
        return b"%00" in data


class _JsonNul:
    """Finds a `\\u0000` escape across chunk boundaries (`platform.text.escapes_nul`)."""

    def __init__(self) -> None:
        self.tail = b""

    def feed(self, chunk: bytes) -> bool:
        data = self.tail + chunk
        if escapes_nul(data):
            return True
        self.tail = unfinished_tail(data)
        return False


class _JsonSurrogates:
    """Finds a lone surrogate in a JSON body: the chunks are kept while they stream and, if any
    surrogate escape went by, the whole body is judged with its last chunk."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.tail = b""
        self.suspect = False

    def feed(self, chunk: bytes, more: bool) -> bool:
        if not self.suspect:  # an escape may straddle chunks: the stream's last bytes go along
            seen = self.tail + chunk
            self.suspect = may_escape_surrogate(seen)
            self.tail = seen[-5:]
        self.chunks.append(chunk)
        return not more and self.suspect and holds_lone_surrogate(b"".join(self.chunks))
