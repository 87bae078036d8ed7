"""REST routes of the grades slice under /api/v1."""

from fastapi import APIRouter

from edtech.grades.api.results import router as results_router
from edtech.grades.api.setup import router as setup_router
from edtech.grades.api.views import router as views_router

router = APIRouter()
router.include_router(setup_router)
router.include_router(results_router)
router.include_router(views_router)

__all__ = ["router"]
