"""Identity's REST routes: sign-in and sessions, logins of people, scanner devices."""

from __future__ import annotations

from fastapi import APIRouter

from edtech.identity.api.accounts import router as accounts_router
from edtech.identity.api.auth import router as auth_router
from edtech.identity.api.devices import router as devices_router

router = APIRouter()
router.include_router(auth_router)
router.include_router(accounts_router)
router.include_router(devices_router)

__all__ = ["router"]
