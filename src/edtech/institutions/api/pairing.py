"""Guardian pairing: the office issues a child's code, a parent asks with it, the office decides."""

from __future__ import annotations

import inspect
import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from edtech.identity.public import CurrentPrincipalDep
from edtech.institutions.application.approve_pairing import ApprovePairing
from edtech.institutions.application.issue_pairing_code import IssuePairingCode
from edtech.institutions.application.reject_pairing import RejectPairing
from edtech.institutions.application.request_pairing import RequestPairing
from edtech.institutions.domain.pairing import PairingRequest, PairingState
from edtech.institutions.infrastructure.pairing import pairing_requests_query
from edtech.institutions.policy import Policy
from edtech.platform.http.deps import ReadSessionDep, use_case
from edtech.platform.http.pagination import Page, PageParamsDep, paginate

router = APIRouter(prefix="/api/v1", tags=["pairing"])

PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not signed in."},
    403: {"description": "Not an administrator who manages people."},
}


class PairingCodeIn(BaseModel):
    model_config = {"extra": "forbid"}
    student_id: uuid.UUID


class PairingCodeOut(BaseModel):
    id: uuid.UUID
    student_id: uuid.UUID
    code: str = Field(description="Shown only now: give it to the family (e.g. on paper).")
    expires_at: datetime


class PairingRequestIn(BaseModel):
    model_config = {"extra": "forbid"}
    code: str = Field(min_length=4, max_length=40, examples=["K7Q2-M9XD-3HPA"])
    relationship: str = Field("guardian", min_length=1, max_length=32, examples=["mother"])


class PairingRequestOut(BaseModel):
    id: uuid.UUID
    student_id: uuid.UUID
    guardian_id: uuid.UUID
    relationship: str
    state: PairingState
    requested_at: datetime
    decided_at: datetime | None
    link_id: uuid.UUID | None

    @classmethod
    def of(cls, r: PairingRequest | Any) -> PairingRequestOut:
        return cls(
            id=r.id,
            student_id=r.student_id,
            guardian_id=r.guardian_id,
            relationship=r.relationship,
            state=PairingState(r.state),
            requested_at=r.requested_at,
            decided_at=r.decided_at,
            link_id=r.link_id,
        )


class PairingRequestRowOut(PairingRequestOut):
    student_name: str
    guardian_name: str


@router.post(
    "/pairing-codes",
    status_code=201,
    summary="Issue a child's pairing code (valid seven days, replaces the previous one)",
    description=inspect.cleandoc(IssuePairingCode.__doc__ or ""),
    responses={**PROBLEMS, 404: {"description": "No such current student."}},
)
async def issue_pairing_code(
    body: PairingCodeIn,
    principal: CurrentPrincipalDep,
    issue: Annotated[IssuePairingCode, Depends(use_case(IssuePairingCode))],
) -> PairingCodeOut:
    code, code_id, expires_at = await issue(principal, body.student_id)
    return PairingCodeOut(id=code_id, student_id=body.student_id, code=code, expires_at=expires_at)


@router.post(
    "/pairing-requests",
    status_code=201,
    summary="Ask, with a child's pairing code, to become their guardian (the office approves)",
    description=inspect.cleandoc(RequestPairing.__doc__ or ""),
    responses={
        401: {"description": "Not signed in."},
        409: {"description": "Linked already, or oneself."},
        422: {"description": "Not a valid pairing code."},
    },
)
async def request_pairing(
    body: PairingRequestIn,
    principal: CurrentPrincipalDep,
    ask: Annotated[RequestPairing, Depends(use_case(RequestPairing))],
) -> PairingRequestOut:
    return PairingRequestOut.of(await ask(principal, body.code, body.relationship))


@router.get("/pairing-requests", summary="Pairing requests, oldest first", responses=PROBLEMS)
async def list_pairing_requests(
    principal: CurrentPrincipalDep,
    session: ReadSessionDep,
    page: PageParamsDep,
    request: Request,
    state: Annotated[PairingState | None, Query(description="Only these.")] = None,
) -> Page[PairingRequestRowOut]:
    Policy.require_people_admin(principal)

    def to_item(r: Any) -> PairingRequestRowOut:
        return PairingRequestRowOut(
            **PairingRequestOut.of(r).model_dump(),
            student_name=r.student_name,
            guardian_name=r.guardian_name,
        )

    stmt = pairing_requests_query(principal.institution_id, state)
    return await paginate(session, stmt, page, request, to_item)


@router.post(
    "/pairing-requests/{request_id}/approve",
    summary="Approve a pairing request: the guardian link starts today",
    description=inspect.cleandoc(ApprovePairing.__doc__ or ""),
    responses={**PROBLEMS, 404: {"description": "No such request."}, 409: {}},
)
async def approve_pairing(
    request_id: uuid.UUID,
    principal: CurrentPrincipalDep,
    approve: Annotated[ApprovePairing, Depends(use_case(ApprovePairing))],
) -> PairingRequestOut:
    return PairingRequestOut.of(await approve(principal, request_id))


@router.post(
    "/pairing-requests/{request_id}/reject",
    summary="Reject a pairing request",
    description=inspect.cleandoc(RejectPairing.__doc__ or ""),
    responses={**PROBLEMS, 404: {"description": "No such request."}, 409: {}},
)
async def reject_pairing(
    request_id: uuid.UUID,
    principal: CurrentPrincipalDep,
    reject: Annotated[RejectPairing, Depends(use_case(RejectPairing))],
) -> PairingRequestOut:
    return PairingRequestOut.of(await reject(principal, request_id))
