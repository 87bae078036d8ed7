"""Route: year-end rollover (preview first)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from edtech.identity.public import CurrentPrincipalDep
from edtech.kernel.errors import ForbiddenError
from edtech.kernel.principal import Principal
from edtech.oneroster.application.roll_over import RollOver
from edtech.platform.http.deps import use_case

router = APIRouter(prefix="/api/v1/roster", tags=["roster sync"])


async def _admin(principal: CurrentPrincipalDep) -> Principal:
    """Checked as a dependency, so a stranger is refused before the body is validated."""
    if not principal.is_institution_admin:
        raise ForbiddenError("only an institution admin rolls a school year over")
    return principal


class RolloverIn(BaseModel):
    school_year_id: uuid.UUID = Field(description="The academic session (a school year) to close.")
    on: date = Field(description="The first day the year no longer holds.")
    dry_run: bool = Field(True, description="Preview (the default): report, change nothing.")


class RolloverOut(BaseModel):
    dry_run: bool
    on: date
    enrollments_ended: int
    roles_ended: int
    promoted: dict[str, int] = Field(description="`from→to` grade → how many students.")
    graduating: int


@router.post(
    "/rollover",
    summary="Close a school year: end its enrollments and roles, promote students",
    description=RollOver.__doc__,
    responses={404: {"description": "No such school year in your institution."}},
)
async def roll_over(
    principal: Annotated[Principal, Depends(_admin)],
    run: Annotated[RollOver, Depends(use_case(RollOver))],
    body: RolloverIn,
) -> RolloverOut:
    report = await run(principal, body.school_year_id, body.on, dry_run=body.dry_run)
    data: dict[str, Any] = report.as_data()
    return RolloverOut.model_validate(data)
