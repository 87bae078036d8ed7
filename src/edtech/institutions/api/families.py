"""Routes for enrollments (who is in which section) and guardian links (who is whose guardian)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request, Response, status

from edtech.identity.public import CurrentPrincipalDep
from edtech.institutions.api.deps import PolicyDep, one
from edtech.institutions.api.schemas import (
    EndIn,
    EnrollmentIn,
    EnrollmentOut,
    EnrollmentPatch,
    GuardianLinkIn,
    GuardianLinkOut,
    GuardianLinkPatch,
)
from edtech.institutions.application.end_enrollment import EndEnrollment
from edtech.institutions.application.end_guardian_link import EndGuardianLink
from edtech.institutions.application.enroll_person import EnrollPerson, NewEnrollment
from edtech.institutions.application.link_guardian import LinkGuardian, NewGuardianLink
from edtech.institutions.application.update_enrollment import UpdateEnrollment
from edtech.institutions.application.update_guardian_link import UpdateGuardianLink
from edtech.institutions.domain import EnrollmentRole, is_active
from edtech.institutions.infrastructure import queries
from edtech.institutions.policy import Policy
from edtech.kernel.principal import Principal
from edtech.platform.http.deps import use_case
from edtech.platform.http.pagination import Page, PageParamsDep, paginate

router = APIRouter(prefix="/api/v1", tags=["enrollments and families"])


def _with_active(row: Any, on: date) -> dict[str, Any]:
    data = dict(row._mapping)
    data["active"] = is_active(data["begins_on"], data["ends_on"], on)
    return data


# -- enrollments -------------------------------------------------------------------------------


async def _enrollment(
    policy: Policy, principal: Principal, enrollment_id: uuid.UUID
) -> EnrollmentOut:
    row = await queries.enrollment_row(
        policy.session, policy.visible_enrollments(principal), policy.today, enrollment_id
    )
    one(row, "enrollment")
    return EnrollmentOut.model_validate(_with_active(row, policy.today))


@router.get("/enrollments", response_model=Page[EnrollmentOut], summary="List enrollments")
async def list_enrollments(
    request: Request,
    principal: CurrentPrincipalDep,
    policy: PolicyDep,
    page: PageParamsDep,
    section_id: uuid.UUID | None = None,
    person_id: uuid.UUID | None = None,
    role: EnrollmentRole | None = None,
    active: Annotated[bool | None, Query(description="Only enrollments that hold today.")] = None,
) -> Page[EnrollmentOut]:
    """The office sees all; teachers their sections'; everyone their own and their children's."""
    stmt = queries.enrollments(
        policy.visible_enrollments(principal),
        policy.today,
        section_id=section_id,
        person_id=person_id,
        role=role,
        active=active,
    )
    return await paginate(
        policy.session,
        stmt,
        page,
        request,
        lambda r: EnrollmentOut.model_validate(_with_active(r, policy.today)),
    )


@router.post(
    "/enrollments",
    response_model=EnrollmentOut,
    status_code=status.HTTP_201_CREATED,
    summary="Enroll someone",
)
async def create_enrollment(
    body: EnrollmentIn,
    principal: CurrentPrincipalDep,
    enroll: Annotated[EnrollPerson, Depends(use_case(EnrollPerson))],
    policy: PolicyDep,
) -> EnrollmentOut:
    """Admins of the section's school enroll a current person; one open enrollment each (409)."""
    enrollment_id = await enroll(principal, NewEnrollment(**body.model_dump()))
    return await _enrollment(policy, principal, enrollment_id)


@router.get("/enrollments/{enrollment_id}", response_model=EnrollmentOut, summary="One enrollment")
async def get_enrollment(
    enrollment_id: uuid.UUID, principal: CurrentPrincipalDep, policy: PolicyDep
) -> EnrollmentOut:
    return await _enrollment(policy, principal, enrollment_id)


@router.patch(
    "/enrollments/{enrollment_id}", response_model=EnrollmentOut, summary="Change an enrollment"
)
async def patch_enrollment(
    enrollment_id: uuid.UUID,
    body: EnrollmentPatch,
    principal: CurrentPrincipalDep,
    update: Annotated[UpdateEnrollment, Depends(use_case(UpdateEnrollment))],
    policy: PolicyDep,
) -> EnrollmentOut:
    await update(principal, enrollment_id, is_primary=body.is_primary, begins_on=body.begins_on)
    return await _enrollment(policy, principal, enrollment_id)


@router.post(
    "/enrollments/{enrollment_id}/end", response_model=EnrollmentOut, summary="End an enrollment"
)
async def end_enrollment(
    enrollment_id: uuid.UUID,
    principal: CurrentPrincipalDep,
    end: Annotated[EndEnrollment, Depends(use_case(EndEnrollment))],
    policy: PolicyDep,
    body: Annotated[EndIn | None, Body()] = None,
) -> EnrollmentOut:
    """The person leaves the section's roster from `ends_on` (default today); history stays."""
    await end(principal, enrollment_id, body.ends_on if body else None)
    return await _enrollment(policy, principal, enrollment_id)


@router.delete(
    "/enrollments/{enrollment_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="End an enrollment today",
)
async def delete_enrollment(
    enrollment_id: uuid.UUID,
    principal: CurrentPrincipalDep,
    end: Annotated[EndEnrollment, Depends(use_case(EndEnrollment))],
) -> Response:
    """Same as `POST …/end` with today's date: enrollments are end-dated, never deleted."""
    await end(principal, enrollment_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# -- guardian links ----------------------------------------------------------------------------


async def _link(policy: Policy, principal: Principal, link_id: uuid.UUID) -> GuardianLinkOut:
    row = await queries.guardian_link_row(
        policy.session, policy.visible_guardian_links(principal), policy.today, link_id
    )
    one(row, "guardian link")
    return GuardianLinkOut.model_validate(_with_active(row, policy.today))


@router.get("/guardian-links", response_model=Page[GuardianLinkOut], summary="List guardian links")
async def list_guardian_links(
    request: Request,
    principal: CurrentPrincipalDep,
    policy: PolicyDep,
    page: PageParamsDep,
    student_id: uuid.UUID | None = None,
    guardian_id: uuid.UUID | None = None,
    active: Annotated[bool | None, Query(description="Only links that hold today.")] = None,
) -> Page[GuardianLinkOut]:
    """The office sees all; teachers only the families of students in their own sections;
    guardians their own (unrestricted) links. Nobody else sees family data."""
    stmt = queries.guardian_links(
        policy.visible_guardian_links(principal),
        policy.today,
        student_id=student_id,
        guardian_id=guardian_id,
        active=active,
    )
    return await paginate(
        policy.session,
        stmt,
        page,
        request,
        lambda r: GuardianLinkOut.model_validate(_with_active(r, policy.today)),
    )


@router.post(
    "/guardian-links",
    response_model=GuardianLinkOut,
    status_code=status.HTTP_201_CREATED,
    summary="Link a guardian",
)
async def create_guardian_link(
    body: GuardianLinkIn,
    principal: CurrentPrincipalDep,
    link: Annotated[LinkGuardian, Depends(use_case(LinkGuardian))],
    policy: PolicyDep,
) -> GuardianLinkOut:
    """Admins link an adult to a student with flags; one open link per pair (409)."""
    link_id = await link(principal, NewGuardianLink(**body.model_dump()))
    return await _link(policy, principal, link_id)


@router.get(
    "/guardian-links/{link_id}", response_model=GuardianLinkOut, summary="One guardian link"
)
async def get_guardian_link(
    link_id: uuid.UUID, principal: CurrentPrincipalDep, policy: PolicyDep
) -> GuardianLinkOut:
    return await _link(policy, principal, link_id)


@router.patch(
    "/guardian-links/{link_id}", response_model=GuardianLinkOut, summary="Change a guardian link"
)
async def patch_guardian_link(
    link_id: uuid.UUID,
    body: GuardianLinkPatch,
    principal: CurrentPrincipalDep,
    update: Annotated[UpdateGuardianLink, Depends(use_case(UpdateGuardianLink))],
    policy: PolicyDep,
) -> GuardianLinkOut:
    """Flags and custody restrictions take effect at once, everywhere."""
    await update(principal, link_id, body.model_dump(exclude_unset=True))
    return await _link(policy, principal, link_id)


@router.post(
    "/guardian-links/{link_id}/end", response_model=GuardianLinkOut, summary="End a guardian link"
)
async def end_guardian_link(
    link_id: uuid.UUID,
    principal: CurrentPrincipalDep,
    end: Annotated[EndGuardianLink, Depends(use_case(EndGuardianLink))],
    policy: PolicyDep,
    body: Annotated[EndIn | None, Body()] = None,
) -> GuardianLinkOut:
    await end(principal, link_id, body.ends_on if body else None)
    return await _link(policy, principal, link_id)


@router.delete(
    "/guardian-links/{link_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="End a guardian link today",
)
async def delete_guardian_link(
    link_id: uuid.UUID,
    principal: CurrentPrincipalDep,
    end: Annotated[EndGuardianLink, Depends(use_case(EndGuardianLink))],
) -> Response:
    """Same as `POST …/end` with today's date: links are end-dated, never deleted."""
    await end(principal, link_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
