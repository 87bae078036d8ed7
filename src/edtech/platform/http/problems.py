"""RFC 9457 problem details for every error, with domain errors mapped to statuses in one place."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Receive, Scope, Send

from edtech.kernel.errors import (
    AuthenticationError,
    ConflictError,
    DomainError,
    ForbiddenError,
    InvalidError,
    NotFoundError,
    TooManyRequestsError,
    UnavailableError,
)
from edtech.platform.observability.logging import get_logger

PROBLEM_JSON = "application/problem+json"
log = get_logger(__name__)

STATUS_BY_ERROR: dict[type[DomainError], int] = {
    NotFoundError: 404,
    ConflictError: 409,
    ForbiddenError: 403,
    AuthenticationError: 401,
    TooManyRequestsError: 429,
    InvalidError: 422,
    UnavailableError: 503,
}

TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Content Too Large",
    422: "Unprocessable Content",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def status_for(error: DomainError) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 400


def problem(
    status: int,
    detail: str,
    *,
    code: str | None = None,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> JSONResponse:
    """Build a problem+json response; `code` is our stable machine-readable error code."""
    body: dict[str, Any] = {
        "type": f"https://edtech.dev/problems/{code or status}",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if code:
        body["code"] = code
    if instance:
        body["instance"] = instance
    for key, value in (extra or {}).items():
        body.setdefault(key, value)  # extension members never override the standard ones
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    status = status_for(exc)
    extra: dict[str, Any] = {k: v for k, v in exc.extra.items() if k != "retry_after"}
    headers: dict[str, str] = {}
    if isinstance(exc, InvalidError) and exc.problems:
        extra["errors"] = [
            {"loc": list(p.loc), "msg": p.message, "type": p.type} for p in exc.problems
        ]
    if isinstance(exc, TooManyRequestsError):
        headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, AuthenticationError):
        headers["WWW-Authenticate"] = "Bearer"
    return problem(
        status, exc.message, code=exc.code, instance=request.url.path, headers=headers, extra=extra
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
        for e in exc.errors()
    ]
    fields = ", ".join(".".join(str(p) for p in e["loc"]) for e in errors)
    return problem(
        422,
        f"Invalid request: {fields}" if fields else "Invalid request",
        code="validation_failed",
        instance=request.url.path,
        extra={"errors": errors},
    )


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return problem(
        exc.status_code,
        str(exc.detail),
        code=getattr(exc, "code", None),  # our subclasses name their problem
        instance=request.url.path,
        headers=dict(exc.headers or {}),
        extra=getattr(exc, "extra", None),
    )


async def _database_busy(request: Request, exc: Exception) -> JSONResponse:
    """Every database connection of this node stayed in use for the pool's timeout: the node is
    saturated. Say so and when to retry (another node may have room), not a bare 500."""
    log.warning("database_pool_exhausted", path=request.url.path)
    return problem(
        503,
        "The service is busy: no database connection was free in time. Retry shortly.",
        code="database_busy",
        instance=request.url.path,
        headers={"Retry-After": "1"},
    )


def internal_error(path: str | None, correlation_id: str | None) -> JSONResponse:
    """The 500 problem for an unhandled error: nothing of the error itself is disclosed, only
    the correlation id (the request id, also in the log line) that finds it in the logs."""
    extra = {"correlation_id": correlation_id} if correlation_id else None
    return problem(
        500, "An unexpected error occurred.", code="internal", instance=path, extra=extra
    )


async def _unhandled(request: Request, exc: Exception) -> JSONResponse:
    correlation_id = request.scope.get("state", {}).get("request_id")
    log.error("unhandled_error", path=request.url.path, correlation_id=correlation_id, exc_info=exc)
    return internal_error(request.url.path, correlation_id)


_HANDLERS = (
    (DomainError, _domain_error),
    (RequestValidationError, _validation_error),
    (StarletteHTTPException, _http_error),
    (PoolTimeoutError, _database_busy),
    (Exception, _unhandled),
)
"""Which handler answers which error (the classes are disjoint but for `Exception`, last)."""


async def respond_with_problem(scope: Scope, receive: Receive, send: Send, exc: Exception) -> None:
    """Answer `exc` as the installed handlers do, for an app served outside FastAPI's stack."""
    handler = next(h for cls, h in _HANDLERS if isinstance(exc, cls))
    response = await handler(Request(scope, receive), exc)
    await response(scope, receive, send)


def install_problem_handlers(app: FastAPI) -> None:
    for cls, handler in _HANDLERS:
        app.add_exception_handler(cls, handler)
