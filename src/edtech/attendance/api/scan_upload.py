"""`POST /api/v1/attendance/scans` as a fast route, served ahead of FastAPI's stack.

A scanner posts a request per tap; at a school's morning peak that is hundreds a second per
node (see `edtech.platform.http.fast_route`). This handler answers an upload that validates
and carries a device key that authenticates, with the very functions the route in
`devices.py` uses; it declines anything else, and the documented route words the refusal.
"""

from __future__ import annotations

from pydantic import TypeAdapter, ValidationError

from edtech.attendance.api.common import PREFIX
from edtech.attendance.api.devices import node_scan_ingester, upload_scans
from edtech.attendance.api.schemas import ScanBatchIn
from edtech.identity.public import authenticate_device
from edtech.kernel.errors import AuthenticationError
from edtech.platform.http.fast_route import FastRequest, FastRouteSpec

DEVICE_KEY = b"x-device-key"

_BATCH = TypeAdapter(ScanBatchIn)


async def answer_scan_upload(request: FastRequest) -> bytes | None:
    """The upload's results as JSON; `None` (the documented route answers) when the body does
    not validate or the device key does not authenticate."""
    try:
        batch = _BATCH.validate_json(request.body)
        device = await authenticate_device(request.app, request.header(DEVICE_KEY))
    except (ValidationError, AuthenticationError):
        return None
    out = await upload_scans(node_scan_ingester(request.app), device, batch)
    return out.model_dump_json().encode()


SCAN_UPLOAD = FastRouteSpec("POST", f"{PREFIX}/scans", answer_scan_upload, requires=(DEVICE_KEY,))
SCANS_ROUTE = (SCAN_UPLOAD.method, SCAN_UPLOAD.path)
