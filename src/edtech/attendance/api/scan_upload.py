"""`POST /api/v1/attendance/scans` as a fast route, served ahead of FastAPI's stack.

A scanner posts a request per tap; at a school's morning peak that is hundreds a second per
node (see `edtech.platform.http.fast_route`). This handler answers an upload that validates
and carries a device key that authenticates, with the very functions the route in
`devices.py` uses; it declines anything else, and the documented route words the refusal.
"""

from __future__ import annotations

from pydantic import TypeAdapter, ValidationError

from edtech.attendance.api.common import PREFIX
from edtech.attendance.api.devices import upload_scans
from edtech.attendance.api.schemas import ScanBatchIn
from edtech.attendance.application.ingest_scans import IngestScans
from edtech.identity.public import authenticate_device
from edtech.kernel.errors import AuthenticationError
from edtech.platform.http.asgi import NodeApp
from edtech.platform.http.fast_route import FastAnswer, FastHandler, FastRequest, FastRouteApp

SCANS_ROUTE = ("POST", f"{PREFIX}/scans")
DEVICE_KEY = b"x-device-key"

_BATCH = TypeAdapter(ScanBatchIn)


def scan_upload_handler(ingester: IngestScans) -> FastHandler:
    """Records through the node's `ingester`."""

    async def answer(request: FastRequest) -> FastAnswer | None:
        """The upload's results as JSON; `None` (the documented route answers) when the body
        does not validate or the device key does not authenticate."""
        try:
            batch = _BATCH.validate_json(request.body)
            device = await authenticate_device(request.app, request.header(DEVICE_KEY))
        except (ValidationError, AuthenticationError):
            return None
        out = await upload_scans(ingester, device, batch)
        return FastAnswer(out.model_dump_json().encode())

    return answer


def scan_upload(app: NodeApp, ingester: IngestScans, max_body_bytes: int) -> FastRouteApp:
    """The fast route of `SCANS_ROUTE` on `app`."""
    return FastRouteApp(
        app,
        SCANS_ROUTE[1],
        scan_upload_handler(ingester),
        max_body_bytes=max_body_bytes,
        requires=(DEVICE_KEY,),
    )
