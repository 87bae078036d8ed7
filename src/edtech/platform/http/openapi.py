"""The OpenAPI document tells the truth about errors: every operation lists the problem answers
(RFC 9457, `application/problem+json`) it can give, described once here instead of per route.

FastAPI documents only the 422 of request validation, as plain JSON in its own shape; our
handlers (`problems.py`) answer every error — validation, domain, HTTP, unexpected — as a
problem document. So after FastAPI builds the document, `describe_problems` gives each operation
the statuses any route may answer (400, 403, 404, 409, 422, 500, 503; 401 where a credential is
required; 413 where a body is read) and rewrites the ones routes declared themselves (their
descriptions are kept) to problem+json. Wall-clock `time` fields get their true format too.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI

from edtech.platform.http.problems import PROBLEM_JSON

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "description": (
        "RFC 9457 problem details. `code` is our stable machine-readable error code; "
        "validation problems list what was wrong in `errors`. Other extension members may "
        "appear (never replacing the standard ones)."
    ),
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["loc", "msg", "type"],
                "properties": {
                    "loc": {"type": "array", "items": {"type": ["string", "integer"]}},
                    "msg": {"type": "string"},
                    "type": {"type": "string"},
                },
            },
        },
    },
    "additionalProperties": True,
}

WALL_CLOCK_TIME: dict[str, Any] = {
    "type": "string",
    "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$",
    "description": "A wall-clock time, HH:MM[:SS[.ffffff]], in the school's time zone (no offset).",
    "examples": ["08:30:00"],
}
"""Pydantic documents `datetime.time` as JSON Schema `format: time`, i.e. RFC 3339 full-time,
which requires an offset; the API's times (lesson starts, quiet hours) are local wall-clock
times and carry none."""

ANY_ROUTE = (400, 403, 404, 409, 422, 500, 503)
"""Every route may answer these: a domain rule broken (400/409/422), someone else's resource
(403/404), a malformed request (422), a bug (500), a node with no database connection free in
time (503 `database_busy`)."""

DESCRIPTIONS = {
    400: "The request breaks a rule of the domain.",
    401: "No credential, or a wrong, expired or revoked one.",
    403: "Not allowed to do this.",
    404: "Missing, another institution's, or not yours to see.",
    409: "Conflicts with the current state (a version, a duplicate, a closed period).",
    413: "The request body is over the size limit.",
    422: "The request is malformed or its values are invalid; `errors` says where.",
    429: "Too many requests; see Retry-After.",
    500: "An unexpected error.",
    503: "The service is busy (`database_busy`: no database connection was free in time); "
    "retry after Retry-After.",
}

OWN_BODY = "x-own-body"
"""Set on a declared error response whose body a standard other than RFC 9457 fixes (e.g. an
OAuth 2 token endpoint's RFC 6749 errors): its declared content is kept, not rewritten."""

UNAPI_PATHS = ("/healthz", "/readyz", "/metrics")
"""Probes and metrics are for the orchestrator: they answer 500 at worst, never a problem of
the caller's making."""


def install_openapi(app: FastAPI) -> None:
    """Make `app.openapi()` (and `/openapi.json`) return the document with problems described."""
    build: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = describe_problems(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def describe_problems(document: dict[str, Any]) -> dict[str, Any]:
    """Add and rewrite the error responses of every operation of `document`, in place."""
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas["Problem"] = copy.deepcopy(PROBLEM_SCHEMA)
    for path, operation in _operations(document):
        responses = operation.setdefault("responses", {})
        for status in _statuses(path, operation):
            responses.setdefault(str(status), {"description": DESCRIPTIONS[status]})
        for status, response in responses.items():
            if response.pop(OWN_BODY, False):  # a route that answers an error in its own format
                continue
            if status.isdigit() and int(status) >= 400 and not _own_body(path, int(status)):
                response["content"] = {PROBLEM_JSON: {"schema": PROBLEM_REF}}
                if response.get("description") == "Validation Error":
                    response["description"] = DESCRIPTIONS[422]
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    for schema in schemas.values():
        _true_times(schema)
    return document


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, item in document.get("paths", {}).items():
        for operation in item.values():
            if isinstance(operation, dict) and "responses" in operation:
                yield path, operation


def _statuses(path: str, operation: dict[str, Any]) -> list[int]:
    if path in UNAPI_PATHS:
        return [500]
    statuses = list(ANY_ROUTE)
    if operation.get("security"):
        statuses.append(401)
    if "requestBody" in operation:
        statuses.append(413)
    return statuses


def _own_body(path: str, status: int) -> bool:
    """Readiness answers 503 with its own checks body, not a problem."""
    return path == "/readyz" and status == 503


def _true_times(schema: Any) -> None:
    if isinstance(schema, dict):
        if schema.get("type") == "string" and schema.get("format") == "time":
            del schema["format"]
            for key, value in WALL_CLOCK_TIME.items():
                schema.setdefault(key, value)
        for value in schema.values():
            _true_times(value)
    elif isinstance(schema, list):
        for value in schema:
            _true_times(value)
