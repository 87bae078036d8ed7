"""REST routes of the OneRoster slice: CSV import and export, and the OneRoster provider."""

from fastapi import APIRouter

from edtech.oneroster.api.imports import router as imports_router

router = APIRouter()
router.include_router(imports_router)

__all__ = ["router"]
