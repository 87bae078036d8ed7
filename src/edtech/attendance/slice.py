"""The attendance slice as the composition root sees it: routes, the live board's channels,
the scan ingester (a per-node component), the scan upload served ahead of FastAPI, the
close-time and planning schedules, and the sink by which sessions follow enrollments."""

from __future__ import annotations

from datetime import timedelta

from edtech.attendance import channels, infrastructure
from edtech.attendance.api import SCANS_ROUTE, router, scan_upload
from edtech.attendance.application.common import SystemCodeCache
from edtech.attendance.application.ingest_scans import IngestScans
from edtech.attendance.application.record_scans import RecordScans
from edtech.attendance.infrastructure.roster_sink import FollowEnrollments
from edtech.attendance.public import (
    CLOSE_INTERVAL_SECONDS,
    PLAN_INTERVAL,
    plan_tomorrow,
    run_closer,
)
from edtech.manifest import FastRoute, Scheduled, Slice
from edtech.platform.http.deps import use_case
from edtech.platform.services import Services


def follow_enrollments(services: Services) -> FollowEnrollments:
    """Sessions that have not closed follow student enrollments (the roster's events)."""
    return FollowEnrollments(services.clock)


def scan_ingester(services: Services) -> IngestScans:
    """The node's group commit of scan uploads, with its cache of system codes; stopped with
    the node (the transactions under way finish first)."""
    codes = SystemCodeCache()
    record = use_case(RecordScans, lambda _services: codes)
    return IngestScans(lambda: record(services))


SLICE = Slice(
    name="attendance",
    routers=[router],
    channels=channels.register,
    tables=[infrastructure],
    # The device keys the scans are authenticated with are identity's component (its slice.py).
    components=[scan_ingester],
    sinks=[follow_enrollments],
    schedules=[
        Scheduled("attendance.closer", timedelta(seconds=CLOSE_INTERVAL_SECONDS), run_closer),
        Scheduled("attendance.planner", PLAN_INTERVAL, plan_tomorrow),
    ],
    # Scanners post a request per tap: that route is served ahead of FastAPI's stack.
    fast_routes=[
        FastRoute(
            *SCANS_ROUTE,
            build=lambda app, services: scan_upload(
                app, services.components.get(IngestScans), services.settings.max_body_bytes
            ),
        )
    ],
)
