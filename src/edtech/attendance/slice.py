"""The attendance slice as the composition root sees it: routes, the live board's channels,
the scan ingester, the scan upload served ahead of FastAPI, and the close-time schedule."""

from __future__ import annotations

from datetime import timedelta

from edtech.attendance import channels, infrastructure
from edtech.attendance.api import SCANS_ROUTE, ScanUpload, router
from edtech.attendance.api.devices import build_scan_ingester
from edtech.attendance.public import CLOSE_INTERVAL_SECONDS, run_closer
from edtech.manifest import FastRoute, Scheduled, Slice

SLICE = Slice(
    name="attendance",
    routers=[router],
    channels=channels.register,
    tables=[infrastructure],
    components=[build_scan_ingester],
    schedules=[
        Scheduled("attendance.closer", timedelta(seconds=CLOSE_INTERVAL_SECONDS), run_closer)
    ],
    # Scanners post a request per tap: that route is served ahead of FastAPI's stack.
    fast_routes=[
        FastRoute(
            *SCANS_ROUTE,
            build=lambda app, services: ScanUpload(app, services.settings.max_body_bytes),
        )
    ],
)
