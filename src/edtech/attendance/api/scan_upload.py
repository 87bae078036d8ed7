"""`POST /api/v1/attendance/scans` served ahead of FastAPI's stack (`NodeApp.raw_http`).

A scanner posts a request per tap; at a school's morning peak that is hundreds a second per
node, and FastAPI's routing over every route, its middleware layers and its dependency
machinery cost more than recording the scan. This app answers the common case — a JSON body
with a valid device key that validates — with the very functions the route in `devices.py`
uses. Everything else (a body over the limit or of unknown length, another content type, a
validation error, a missing or bad key) goes to FastAPI's stack with the body replayed, so the
route documented in the OpenAPI answers it: the two never answer differently.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import TypeAdapter, ValidationError
from starlette.types import Message, Receive, Scope, Send

from edtech.attendance.api.common import PREFIX
from edtech.attendance.api.devices import node_scan_ingester, upload_scans
from edtech.attendance.api.schemas import ScanBatchIn
from edtech.identity.public import authenticate_device
from edtech.kernel.errors import AuthenticationError
from edtech.platform.http.asgi import NodeApp
from edtech.platform.http.middleware import content_length
from edtech.platform.http.problems import respond_with_problem

SCANS_ROUTE = ("POST", f"{PREFIX}/scans")

_BATCH = TypeAdapter(ScanBatchIn)


@dataclass(frozen=True)
class _Template:
    path: str


class ScanUpload:
    """The raw ASGI app for `SCANS_ROUTE` on `app` (see the module's docstring)."""

    def __init__(self, app: NodeApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        # What the access log and the request metrics read the route template from.
        self.route = _Template(SCANS_ROUTE[1])

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
        try:
            batch = _BATCH.validate_json(body)
            device = await authenticate_device(self.app, _text(headers.get(b"x-device-key")))
        except (ValidationError, AuthenticationError):
            await self.app.stack(scope, replay, send)
            return
        try:
            out = await upload_scans(node_scan_ingester(self.app), device, batch)
        except Exception as exc:  # as FastAPI's exception handlers would answer it
            await respond_with_problem(scope, replay, send, exc)
            return
        content = out.model_dump_json().encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(content)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": content})

    def _takes(self, scope: Scope, headers: dict[bytes, bytes]) -> bool:
        """A JSON body of declared length within the limit, and a device key: ours to answer."""
        content_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        length = content_length(scope)
        return (
            content_type == b"application/json"
            and length is not None
            and 0 <= length <= self.max_body_bytes
            and b"x-device-key" in headers
        )


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


def _text(value: bytes | None) -> str | None:
    return value.decode("latin-1") if value is not None else None
