"""Routes for absence notes: guardians submit, the attendance office decides."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status

from edtech.attendance.api.common import PREFIX, TAG, excuse_out, roster
from edtech.attendance.api.schemas import DecisionIn, ExcuseIn, ExcuseOut
from edtech.attendance.application.common import is_attendance_staff
from edtech.attendance.application.decide_excuse import DecideExcuse
from edtech.attendance.application.submit_excuse import SubmitExcuse, SubmitExcuseCommand
from edtech.attendance.domain import ExcuseState
from edtech.attendance.infrastructure import queries
from edtech.identity.public import CurrentPrincipalDep
from edtech.platform.http.deps import ReadSessionDep, use_case
from edtech.platform.http.pagination import Page, PageParamsDep, paginate

router = APIRouter(prefix=PREFIX, tags=[TAG])


@router.post("/excuses", response_model=ExcuseOut, status_code=status.HTTP_201_CREATED)
async def submit_excuse(
    body: ExcuseIn,
    principal: CurrentPrincipalDep,
    submit: Annotated[SubmitExcuse, Depends(use_case(SubmitExcuse, roster))],
) -> ExcuseOut:
    """A guardian (with `can_view_attendance`, no custody restriction) reports an absence."""
    excuse = await submit(
        principal,
        SubmitExcuseCommand(
            body.student_id, body.starts_on, body.ends_on, body.reason, body.attachment_ref
        ),
    )
    return excuse_out(excuse)


@router.get("/excuses", response_model=Page[ExcuseOut])
async def list_excuses(
    request: Request,
    principal: CurrentPrincipalDep,
    db: ReadSessionDep,
    page: PageParamsDep,
    state: Annotated[ExcuseState | None, Query()] = None,
    student_id: Annotated[uuid.UUID | None, Query()] = None,
) -> Page[ExcuseOut]:
    """The office sees every note; anyone else the notes they submitted. Newest first."""
    submitted_by = None if is_attendance_staff(principal, None) else principal.person_id
    stmt = queries.excuses_query(
        principal.institution_id,
        state=state.value if state else None,
        student_id=student_id,
        submitted_by=submitted_by,
    )
    return await paginate(db, stmt, page, request, excuse_out)


@router.post("/excuses/{excuse_id}/decision", response_model=ExcuseOut)
async def decide_excuse(
    excuse_id: uuid.UUID,
    body: DecisionIn,
    principal: CurrentPrincipalDep,
    decide: Annotated[DecideExcuse, Depends(use_case(DecideExcuse))],
) -> ExcuseOut:
    """Approve (the covered absences become excused, live on the boards) or reject, once."""
    excuse = await decide(principal, excuse_id, approve=body.approve, note=body.note)
    return excuse_out(excuse)
