"""The files slice as the composition root sees it: its routes and tables, the node's object
store, the receipt trigger on payments and the rendering job."""

from __future__ import annotations

from edtech.files import infrastructure
from edtech.files.api import router
from edtech.files.jobs import RENDER_RECEIPT, receipt_trigger, render_receipt
from edtech.files.wiring import build_storage
from edtech.manifest import JobFunction, Slice

SLICE = Slice(
    name="files",
    routers=[router],
    tables=[infrastructure],
    components=[build_storage],
    sinks=[receipt_trigger],
    jobs=[JobFunction(RENDER_RECEIPT, render_receipt)],
)
