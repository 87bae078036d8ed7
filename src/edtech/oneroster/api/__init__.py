"""REST routes of the OneRoster slice: CSV import and export, and the OneRoster provider."""

from fastapi import APIRouter

from edtech.oneroster.api.auth import router as auth_router
from edtech.oneroster.api.clients import router as clients_router
from edtech.oneroster.api.gradebook import router as gradebook_router
from edtech.oneroster.api.imports import router as imports_router
from edtech.oneroster.api.rollover import router as rollover_router
from edtech.oneroster.api.rostering import router as rostering_router

router = APIRouter()
router.include_router(imports_router)
router.include_router(rollover_router)
router.include_router(clients_router)
router.include_router(auth_router)
router.include_router(rostering_router)
router.include_router(gradebook_router)

__all__ = ["router"]
