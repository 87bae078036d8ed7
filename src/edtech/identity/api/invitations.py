"""Invitations: the office invites people and chases who never joined; invitees accept."""

from __future__ import annotations

import inspect
import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from edtech.identity.api.auth import TokenOut
from edtech.identity.api.deps import CurrentPrincipalDep, login_throttle, token_issuer
from edtech.identity.api.operators import client_address, mail
from edtech.identity.application.accept_invitation import AcceptInvitation
from edtech.identity.application.common import links, password_policy
from edtech.identity.application.invite_people import InvitePeople, InviteTargets, Outcome
from edtech.identity.application.open_invitation import OpenInvitation
from edtech.identity.application.revoke_invitation import RevokeInvitation
from edtech.identity.domain.links import InvitationState
from edtech.identity.infrastructure.links import invitations_by_person_query
from edtech.institutions.public import people_query, school_clock
from edtech.kernel.errors import ForbiddenError
from edtech.kernel.principal import Role
from edtech.platform.http.deps import ClockDep, ReadSessionDep, use_case
from edtech.platform.http.pagination import Page, PageParamsDep, paginate

router = APIRouter(prefix="/api/v1/invitations", tags=["invitations"])

LINK_PROBLEMS: dict[int | str, dict[str, Any]] = {
    400: {
        "description": "The link is unknown or forged (`link_invalid`), expired "
        "(`link_expired`), used (`link_used`) or revoked (`link_revoked`); nothing changed."
    },
    429: {"description": "Too many bad links from this address; see Retry-After."},
}
ADMIN_PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not signed in."},
    403: {"description": "Not an institution administrator."},
}


class InviteIn(BaseModel):
    """Who to invite; the union of everything given, each person once (at most 500)."""

    model_config = {"extra": "forbid"}

    person_ids: list[uuid.UUID] = Field(default_factory=list, max_length=500)
    role: Role | None = Field(None, description="Everyone holding this role today.")
    students_of_section: uuid.UUID | None = None
    guardians_of_section: uuid.UUID | None = Field(
        None, description="The guardians (unrestricted links) of the section's students."
    )


class InvitationResultOut(BaseModel):
    person_id: uuid.UUID
    outcome: Outcome
    invitation_id: uuid.UUID | None
    expires_at: datetime | None


class InvitationRowOut(BaseModel):
    """A person and where they stand with joining (their latest invitation)."""

    person_id: uuid.UUID
    display_name: str
    email: str | None
    state: InvitationState
    invitation_id: uuid.UUID | None
    created_at: datetime | None
    expires_at: datetime | None
    sent_at: datetime | None
    send_count: int
    opened_at: datetime | None
    accepted_at: datetime | None
    revoked_at: datetime | None


class RevokedOut(BaseModel):
    invitation_id: uuid.UUID
    person_id: uuid.UUID
    revoked_at: datetime


class TokenIn(BaseModel):
    token: str = Field(min_length=1, max_length=200)


class AcceptIn(TokenIn):
    password: str = Field(min_length=8, max_length=256)


class InvitationViewOut(BaseModel):
    person_id: uuid.UUID
    display_name: str
    email: str
    institution_name: str
    expires_at: datetime


class AcceptedOut(TokenOut):
    person_id: uuid.UUID


@router.post(
    "",
    summary="Invite people (by id, role or section) to choose a password, by mail",
    description=inspect.cleandoc(InvitePeople.__doc__ or ""),
    responses={
        **ADMIN_PROBLEMS,
        422: {"description": "Unknown people or section, or nobody to invite."},
        503: {"description": "Mail is not set up on this server (nothing was created)."},
    },
)
async def invite(
    body: InviteIn,
    principal: CurrentPrincipalDep,
    request: Request,
    invite_people: Annotated[InvitePeople, Depends(use_case(InvitePeople, mail, links))],
) -> list[InvitationResultOut]:
    results = await invite_people(
        principal,
        InviteTargets(
            person_ids=tuple(body.person_ids),
            role=body.role,
            students_of_section=body.students_of_section,
            guardians_of_section=body.guardians_of_section,
        ),
        client_address(request),
    )
    return [
        InvitationResultOut(
            person_id=r.person_id,
            outcome=r.outcome,
            invitation_id=r.invitation_id,
            expires_at=r.expires_at,
        )
        for r in results
    ]


@router.get(
    "",
    summary="Everyone's invitation state, to chase who never joined (institution admins)",
    responses=ADMIN_PROBLEMS,
)
async def list_invitations(
    principal: CurrentPrincipalDep,
    session: ReadSessionDep,
    clock: ClockDep,
    page: PageParamsDep,
    request: Request,
    state: Annotated[
        InvitationState | None, Query(description="Only people in this state.")
    ] = None,
    role: Annotated[Role | None, Query(description="Only people holding this role today.")] = None,
) -> Page[InvitationRowOut]:
    if not principal.is_institution_admin:
        raise ForbiddenError("Only institution administrators may list invitations.")
    now = clock.now()
    today = (await school_clock(session, clock, principal.institution_id)).today()
    people = people_query(principal.institution_id, today, role)
    stmt = invitations_by_person_query(people, now, state)

    def to_item(r: Any) -> InvitationRowOut:
        return InvitationRowOut(
            person_id=r.person_id,
            display_name=f"{r.given_name} {r.family_name}",
            email=r.invitation_email or r.person_email,
            state=InvitationState(r.state),
            invitation_id=r.invitation_id,
            created_at=r.created_at,
            expires_at=r.expires_at,
            sent_at=r.sent_at,
            send_count=r.send_count or 0,
            opened_at=r.opened_at,
            accepted_at=r.accepted_at,
            revoked_at=r.revoked_at,
        )

    return await paginate(session, stmt, page, request, to_item)


@router.post(
    "/{invitation_id}/revoke",
    summary="Withdraw an invitation link",
    description=inspect.cleandoc(RevokeInvitation.__doc__ or ""),
    responses={
        **ADMIN_PROBLEMS,
        404: {"description": "No such invitation."},
        409: {"description": "Accepted already."},
    },
)
async def revoke_invitation(
    invitation_id: uuid.UUID,
    principal: CurrentPrincipalDep,
    request: Request,
    revoke: Annotated[RevokeInvitation, Depends(use_case(RevokeInvitation))],
) -> RevokedOut:
    invitation = await revoke(principal, invitation_id, client_address(request))
    assert invitation.revoked_at is not None
    return RevokedOut(
        invitation_id=invitation.id,
        person_id=invitation.person_id,
        revoked_at=invitation.revoked_at,
    )


@router.post(
    "/open",
    summary="Who an invitation link is for (marks it opened)",
    description=inspect.cleandoc(OpenInvitation.__doc__ or ""),
    responses=LINK_PROBLEMS,
)
async def open_invitation(
    body: TokenIn,
    request: Request,
    open_it: Annotated[OpenInvitation, Depends(use_case(OpenInvitation, login_throttle))],
) -> InvitationViewOut:
    view = await open_it(body.token, client_address(request))
    return InvitationViewOut(
        person_id=view.person_id,
        display_name=view.display_name,
        email=view.email,
        institution_name=view.institution_name,
        expires_at=view.expires_at,
    )


@router.post(
    "/accept",
    summary="Choose a password through an invitation link, and be signed in",
    description=inspect.cleandoc(AcceptInvitation.__doc__ or ""),
    responses={**LINK_PROBLEMS, 409: {"description": "Email taken, or person gone."}},
)
async def accept_invitation(
    body: AcceptIn,
    request: Request,
    accept: Annotated[
        AcceptInvitation,
        Depends(use_case(AcceptInvitation, login_throttle, token_issuer, password_policy)),
    ],
) -> AcceptedOut:
    done = await accept(
        body.token, body.password, client_address(request), request.headers.get("user-agent")
    )
    return AcceptedOut(**TokenOut.of(done.tokens).model_dump(), person_id=done.person_id)
