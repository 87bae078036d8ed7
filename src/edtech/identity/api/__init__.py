"""Identity's REST routes: sign-in and sessions, logins, devices, operators, invitations and
passwords."""

from __future__ import annotations

from fastapi import APIRouter

from edtech.identity.api.accounts import router as accounts_router
from edtech.identity.api.audit import router as audit_router
from edtech.identity.api.auth import router as auth_router
from edtech.identity.api.devices import router as devices_router
from edtech.identity.api.invitations import router as invitations_router
from edtech.identity.api.operators import router as operators_router
from edtech.identity.api.passwords import router as passwords_router
from edtech.identity.api.sso import providers_router as sso_providers_router
from edtech.identity.api.sso import sign_in_router as sso_router

router = APIRouter()
router.include_router(auth_router)
router.include_router(accounts_router)
router.include_router(devices_router)
router.include_router(operators_router)
router.include_router(invitations_router)
router.include_router(passwords_router)
router.include_router(sso_router)
router.include_router(sso_providers_router)
router.include_router(audit_router)

__all__ = ["router"]
