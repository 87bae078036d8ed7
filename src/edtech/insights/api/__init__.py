"""The insights routes: a school's signals, for its counsellors and administrators."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from edtech.identity.public import CurrentPrincipalDep
from edtech.insights.channels import may_follow_signals
from edtech.insights.domain import Indicator, Level
from edtech.insights.infrastructure.repositories import signals_query
from edtech.institutions.public import schools_of_institution
from edtech.kernel.errors import ForbiddenError
from edtech.platform.http.deps import ReadSessionDep
from edtech.platform.http.pagination import Page, PageParamsDep, paginate

router = APIRouter(prefix="/api/v1/insights", tags=["insights"])


class SignalOut(BaseModel):
    """A student's current signal: its level and the evidence behind it (the sessions missed
    are listed by id: `GET /api/v1/attendance/sessions/{id}`)."""

    id: uuid.UUID
    student_id: uuid.UUID
    school_id: uuid.UUID | None
    indicator: Indicator
    level: Level
    missed: int
    counted: int
    evidence: str
    missed_sessions: list[uuid.UUID]
    links: list[dict[str, str]] = Field(
        default_factory=list,
        description="The records behind the evidence: `{rel, href}` (session, grades, assessment).",
    )


@router.get(
    "/signals",
    response_model=Page[SignalOut],
    responses={403: {"description": "Not a counsellor or administrator of any school asked."}},
)
async def list_signals(
    request: Request,
    principal: CurrentPrincipalDep,
    db: ReadSessionDep,
    page: PageParamsDep,
    level: Annotated[Level | None, Query()] = None,
    school_id: Annotated[uuid.UUID | None, Query()] = None,
    student_id: Annotated[uuid.UUID | None, Query()] = None,
) -> Page[SignalOut]:
    """Signals of the schools the caller follows (counsellors, administrators), latest first."""
    schools = await schools_of_institution(db, principal.institution_id)
    ids = [sid for sid in schools if may_follow_signals(principal, sid)]
    if school_id is not None:
        ids = [sid for sid in ids if sid == school_id]
    if not ids:
        raise ForbiddenError("Only counsellors and administrators see signals.")
    stmt = signals_query(
        principal.institution_id,
        schools=ids,
        level=level.value if level else None,
        student_id=student_id,
    )
    return await paginate(db, stmt, page, request, lambda r: SignalOut.model_validate(_row(r)))


def _row(row: Any) -> dict[str, Any]:
    return dict(row._mapping)
