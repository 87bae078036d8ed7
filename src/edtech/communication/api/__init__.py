"""REST routes of the communication slice (`router` is what `create_app` includes)."""

from fastapi import APIRouter

from edtech.communication.api.announcements import router as announcements_router
from edtech.communication.api.conversations import router as conversations_router
from edtech.communication.api.safety import router as safety_router

router = APIRouter()
router.include_router(conversations_router)
router.include_router(announcements_router)
router.include_router(safety_router)

__all__ = ["router"]
