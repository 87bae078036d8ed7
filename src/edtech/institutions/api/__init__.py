"""REST routes of the roster under /api/v1/."""

from fastapi import APIRouter

from edtech.institutions.api import families, organization, pairing, people, sections

router = APIRouter()
for _module in (organization, sections, people, families, pairing):
    router.include_router(_module.router)

__all__ = ["router"]
