"""The attendance REST API under `/api/v1/attendance` (one router for the composition root)."""

from fastapi import APIRouter

from edtech.attendance.api import devices, excuses, reports, sessions
from edtech.attendance.api.scan_upload import SCANS_ROUTE, scan_upload

router = APIRouter()
router.include_router(sessions.router)
router.include_router(devices.router)
router.include_router(excuses.router)
router.include_router(reports.router)

__all__ = ["SCANS_ROUTE", "router", "scan_upload"]
