"""The files slice as the composition root sees it: its routes and tables, the node's object
store and scanner, the claims on attachments that communication asks for, the triggers on
payments, invoices and publications, and the rendering jobs."""

from __future__ import annotations

from datetime import timedelta

from edtech.files import infrastructure
from edtech.files.api import router
from edtech.files.api.erasures import router as erasures_router
from edtech.files.api.letters import router as letters_router
from edtech.files.api.retention import router as retention_router
from edtech.files.api.uploads import router as uploads_router
from edtech.files.application.common import RENDER_THUMBNAIL
from edtech.files.jobs import (
    PRUNE_FILES,
    RENDER_INVOICE,
    RENDER_RECEIPT,
    RENDER_REPORT_CARD,
    SWEEP_ORPHANS,
    SWEEP_UPLOADS,
    invoice_trigger,
    prune_files,
    receipt_trigger,
    render_invoice,
    render_receipt,
    render_report_card,
    render_thumbnail,
    report_card_trigger,
    sweep_orphans,
    sweep_uploads,
)
from edtech.files.wiring import build_attachment_claims, build_scanner, build_storage
from edtech.manifest import JobFunction, Scheduled, Slice

SLICE = Slice(
    name="files",
    # the letters and retention routers first: their fixed paths before `GET /{file_id}`
    routers=[letters_router, retention_router, router, uploads_router, erasures_router],
    tables=[infrastructure],
    components=[build_storage, build_scanner, build_attachment_claims],
    sinks=[receipt_trigger, report_card_trigger, invoice_trigger],
    jobs=[
        JobFunction(RENDER_RECEIPT, render_receipt),
        JobFunction(RENDER_REPORT_CARD, render_report_card),
        JobFunction(RENDER_INVOICE, render_invoice),
        JobFunction(RENDER_THUMBNAIL, render_thumbnail),
    ],
    schedules=[
        Scheduled(SWEEP_UPLOADS, timedelta(minutes=15), sweep_uploads),
        Scheduled(PRUNE_FILES, timedelta(hours=6), prune_files),
        Scheduled(SWEEP_ORPHANS, timedelta(days=1), sweep_orphans),
    ],
)
