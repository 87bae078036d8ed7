"""The identity audit trail, read: who did what to whose login, when, from where.

Institution admins read their own institution's; a platform operator reads any one's.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from edtech.identity.api.deps import CurrentPrincipalDep
from edtech.identity.api.operators import OperatorDep
from edtech.identity.infrastructure.links import audit_query
from edtech.institutions.public import institution_settings
from edtech.kernel.errors import ForbiddenError, NotFoundError
from edtech.platform.http.deps import ReadSessionDep
from edtech.platform.http.pagination import Page, PageParamsDep, paginate
from edtech.platform.http.types import BoundedDatetime

router = APIRouter(tags=["audit"])

PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not signed in."},
    403: {"description": "Not an institution administrator (or, per institution, an operator)."},
}


class AuditEntryOut(BaseModel):
    """One audited action."""

    id: uuid.UUID
    at: datetime
    action: str
    actor: str
    subject_person_id: uuid.UUID | None
    client_address: str | None
    detail: dict[str, Any] | None


ActionQuery = Annotated[
    str | None,
    Query(
        max_length=40,
        description="Only this action (e.g. `invitation_accepted`, `password_reset`, "
        "`sso_signed_in`).",
    ),
]
ActorQuery = Annotated[
    str | None,
    Query(max_length=120, description="Only this actor (`person:<id>`, `operator:<id>`, …)."),
]
SubjectQuery = Annotated[uuid.UUID | None, Query(description="Only actions on this person.")]
SinceQuery = Annotated[BoundedDatetime | None, Query(description="At or after this instant.")]
UntilQuery = Annotated[BoundedDatetime | None, Query(description="Before this instant.")]


def _item(row: Any) -> AuditEntryOut:
    return AuditEntryOut(**{k: row._mapping[k] for k in AuditEntryOut.model_fields})


async def _page(
    session: Any,
    institution_id: uuid.UUID,
    page: Any,
    request: Request,
    **filters: Any,
) -> Page[AuditEntryOut]:
    return await paginate(session, audit_query(institution_id, **filters), page, request, _item)


@router.get(
    "/api/v1/audit",
    summary="The institution's audit trail, newest first (institution admins)",
    responses=PROBLEMS,
)
async def list_audit(
    principal: CurrentPrincipalDep,
    session: ReadSessionDep,
    page: PageParamsDep,
    request: Request,
    action: ActionQuery = None,
    actor: ActorQuery = None,
    subject_person_id: SubjectQuery = None,
    since: SinceQuery = None,
    until: UntilQuery = None,
) -> Page[AuditEntryOut]:
    if not principal.is_institution_admin:
        raise ForbiddenError("Only institution administrators read the audit trail.")
    return await _page(
        session,
        principal.institution_id,
        page,
        request,
        action=action,
        actor=actor,
        subject_person_id=subject_person_id,
        since=since,
        until=until,
    )


@router.get(
    "/api/v1/institutions/{institution_id}/audit",
    summary="An institution's audit trail, newest first (platform operators)",
    responses={**PROBLEMS, 404: {"description": "No such institution."}},
)
async def list_institution_audit(
    institution_id: uuid.UUID,
    operator: OperatorDep,
    session: ReadSessionDep,
    page: PageParamsDep,
    request: Request,
    action: ActionQuery = None,
    actor: ActorQuery = None,
    subject_person_id: SubjectQuery = None,
    since: SinceQuery = None,
    until: UntilQuery = None,
) -> Page[AuditEntryOut]:
    if await institution_settings(session, institution_id) is None:
        raise NotFoundError("No such institution.")
    return await _page(
        session,
        institution_id,
        page,
        request,
        action=action,
        actor=actor,
        subject_person_id=subject_person_id,
        since=since,
        until=until,
    )
