"""Routes for people, their role assignments, and `GET /me`."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request, Response, status

from edtech.identity.public import CurrentPrincipalDep
from edtech.institutions.api.deps import PolicyDep, one
from edtech.institutions.api.schemas import (
    ChildOut,
    EndIn,
    ErasedOut,
    ErasureOut,
    InstitutionOut,
    MeOut,
    MySectionOut,
    PersonIn,
    PersonOut,
    PersonPatch,
    RoleIn,
    RoleOut,
)
from edtech.institutions.application.add_person import AddPerson, NewPerson
from edtech.institutions.application.assign_role import AssignRole
from edtech.institutions.application.common import NewRole
from edtech.institutions.application.end_person import EndPerson
from edtech.institutions.application.end_role import EndRole
from edtech.institutions.application.erase_person import ErasePerson
from edtech.institutions.application.update_person import UpdatePerson
from edtech.institutions.domain import is_active
from edtech.institutions.infrastructure import queries
from edtech.institutions.policy import Policy
from edtech.kernel.errors import NotFoundError
from edtech.kernel.principal import Principal, Role
from edtech.platform.http.deps import use_case
from edtech.platform.http.pagination import Page, PageParamsDep, paginate

router = APIRouter(prefix="/api/v1", tags=["people"])


def _role_out(r: dict[str, Any], on: date) -> RoleOut:
    return RoleOut.model_validate({**r, "active": is_active(r["begins_on"], r["ends_on"], on)})


def _person_out(row: dict[str, Any], roles: list[dict[str, Any]], on: date) -> PersonOut:
    return PersonOut.model_validate(
        {
            **row,
            "display_name": f"{row['given_name']} {row['family_name']}",
            "roles": [_role_out(r, on) for r in roles],
        }
    )


async def _person(policy: Policy, principal: Principal, person_id: uuid.UUID) -> PersonOut:
    found = await queries.person_row(policy.session, policy.visible_people(principal), person_id)
    row = one(found, "person")
    roles = await queries.roles_of(
        policy.session, principal.institution_id, [person_id], policy.today
    )
    return _person_out(row, roles.get(person_id, []), policy.today)


@router.get("/people", response_model=Page[PersonOut], summary="List people")
async def list_people(
    request: Request,
    principal: CurrentPrincipalDep,
    policy: PolicyDep,
    page: PageParamsDep,
    role: Annotated[Role | None, Query(description="Holds this role today.")] = None,
    school_id: Annotated[
        uuid.UUID | None, Query(description="Has a role or enrollment there.")
    ] = None,
    section_id: Annotated[uuid.UUID | None, Query(description="Enrolled in it today.")] = None,
    q: Annotated[
        str | None, Query(max_length=100, description="Name, email or sourcedId contains.")
    ] = None,
    active: Annotated[bool | None, Query(description="Has not left the institution.")] = None,
) -> Page[PersonOut]:
    """Only the people the caller may see: the office sees everyone; teachers their colleagues,
    their students and those students' guardians; families their own."""
    stmt = queries.people(
        policy.visible_people(principal),
        policy.today,
        role=role,
        school_id=school_id,
        section_id=section_id,
        q=q,
        active=active,
    )
    result = await paginate(policy.session, stmt, page, request, lambda r: dict(r._mapping))
    roles = await queries.roles_of(
        policy.session, principal.institution_id, [r["id"] for r in result.items], policy.today
    )
    items = [_person_out(r, roles.get(r["id"], []), policy.today) for r in result.items]
    return Page[PersonOut](**{**result.model_dump(exclude={"items"}), "items": items})


@router.post(
    "/people", response_model=PersonOut, status_code=status.HTTP_201_CREATED, summary="Add a person"
)
async def create_person(
    body: PersonIn,
    principal: CurrentPrincipalDep,
    add: Annotated[AddPerson, Depends(use_case(AddPerson))],
    policy: PolicyDep,
) -> PersonOut:
    """Admins add a person with their first roles; the email is unique in the institution."""
    roles = tuple(NewRole(**r.model_dump()) for r in body.roles)
    person_id = await add(principal, NewPerson(**body.model_dump(exclude={"roles"}), roles=roles))
    return await _person(policy, principal, person_id)


@router.get("/people/{person_id}", response_model=PersonOut, summary="One person")
async def get_person(
    person_id: uuid.UUID, principal: CurrentPrincipalDep, policy: PolicyDep
) -> PersonOut:
    """404 for anyone the caller may not see, exactly as for an unknown id."""
    return await _person(policy, principal, person_id)


@router.patch("/people/{person_id}", response_model=PersonOut, summary="Change a person")
async def patch_person(
    person_id: uuid.UUID,
    body: PersonPatch,
    principal: CurrentPrincipalDep,
    update: Annotated[UpdatePerson, Depends(use_case(UpdatePerson))],
    policy: PolicyDep,
) -> PersonOut:
    await update(principal, person_id, body.model_dump(exclude_unset=True))
    return await _person(policy, principal, person_id)


@router.post("/people/{person_id}/end", response_model=PersonOut, summary="A person leaves")
async def end_person(
    person_id: uuid.UUID,
    principal: CurrentPrincipalDep,
    end: Annotated[EndPerson, Depends(use_case(EndPerson))],
    policy: PolicyDep,
    body: Annotated[EndIn | None, Body()] = None,
) -> PersonOut:
    """Nothing is deleted: the person, their roles, enrollments and guardian links end."""
    await end(principal, person_id, body.ends_on if body else None)
    return await _person(policy, principal, person_id)


@router.delete(
    "/people/{person_id}", status_code=status.HTTP_204_NO_CONTENT, summary="A person leaves (today)"
)
async def delete_person(
    person_id: uuid.UUID,
    principal: CurrentPrincipalDep,
    end: Annotated[EndPerson, Depends(use_case(EndPerson))],
) -> Response:
    """Same as `POST …/end` with today's date: people are end-dated, never deleted."""
    await end(principal, person_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/people/{person_id}/erasure",
    response_model=ErasureOut,
    status_code=status.HTTP_201_CREATED,
    summary="Erase a person who left (institution administrators)",
)
async def erase_person(
    person_id: uuid.UUID,
    principal: CurrentPrincipalDep,
    erase: Annotated[ErasePerson, Depends(use_case(ErasePerson))],
) -> ErasureOut:
    """For a person whose membership has ended (their last day is before today at the school;
    otherwise 409): their names become "Erased person" and their email, birth date and grade
    level are emptied; their login, sessions, single sign-on links and invitations are deleted.
    Their records — roster history, attendance, grades, invoices and payments, messages — are
    kept as the law requires, now naming nobody; the answer says what was kept and why. Their
    files are erased by `POST /api/v1/files/erasures`. Once only (409 the second time)."""
    e = await erase(principal, person_id)
    return ErasureOut(
        person_id=e.person_id,
        erased_at=e.erased_at,
        erased_by=e.erased_by,
        anonymised=list(e.anonymised),
        dropped=[ErasedOut(what=w, why=y) for w, y in e.dropped],
        kept=[ErasedOut(what=w, why=y) for w, y in e.kept],
    )


# -- roles -------------------------------------------------------------------------------------


@router.get("/people/{person_id}/roles", response_model=list[RoleOut], summary="A person's roles")
async def list_roles(
    person_id: uuid.UUID,
    principal: CurrentPrincipalDep,
    policy: PolicyDep,
    active: Annotated[bool | None, Query(description="Only roles held today.")] = None,
) -> list[RoleOut]:
    """Every role assignment of the person, past, present and future (or only today's)."""
    await _person(policy, principal, person_id)
    roles = await queries.roles_of(
        policy.session,
        principal.institution_id,
        [person_id],
        policy.today,
        current_only=bool(active),
    )
    return [_role_out(r, policy.today) for r in roles.get(person_id, [])]


@router.post(
    "/people/{person_id}/roles",
    response_model=RoleOut,
    status_code=status.HTTP_201_CREATED,
    summary="Assign a role",
)
async def assign_role(
    person_id: uuid.UUID,
    body: RoleIn,
    principal: CurrentPrincipalDep,
    assign: Annotated[AssignRole, Depends(use_case(AssignRole))],
    policy: PolicyDep,
) -> RoleOut:
    """The same role for the same school cannot be held twice at once (409)."""
    assignment_id = await assign(principal, person_id, NewRole(**body.model_dump()))
    return await _one_role(policy, principal, person_id, assignment_id)


async def _one_role(
    policy: Policy, principal: Principal, person_id: uuid.UUID, assignment_id: uuid.UUID
) -> RoleOut:
    roles = await queries.roles_of(
        policy.session, principal.institution_id, [person_id], policy.today, current_only=False
    )
    found = [r for r in roles.get(person_id, []) if r["id"] == assignment_id]
    if not found:
        raise NotFoundError("role assignment not found")
    return _role_out(found[0], policy.today)


@router.post(
    "/people/{person_id}/roles/{assignment_id}/end", response_model=RoleOut, summary="End a role"
)
async def end_role(
    person_id: uuid.UUID,
    assignment_id: uuid.UUID,
    principal: CurrentPrincipalDep,
    end: Annotated[EndRole, Depends(use_case(EndRole))],
    policy: PolicyDep,
    body: Annotated[EndIn | None, Body()] = None,
) -> RoleOut:
    await end(principal, person_id, assignment_id, body.ends_on if body else None)
    return await _one_role(policy, principal, person_id, assignment_id)


# -- me ----------------------------------------------------------------------------------------


@router.get("/me", response_model=MeOut, summary="Who am I")
async def me(principal: CurrentPrincipalDep, policy: PolicyDep) -> MeOut:
    """The caller's person, institution, roles today, sections (with their role) and children
    (for guardians, with what each link allows)."""
    session, on = policy.session, policy.today
    me_person = await _person(policy, principal, principal.person_id)
    inst_row = await queries.institution_row(session, principal.institution_id)
    sections = await queries.my_sections(session, principal.institution_id, principal.person_id, on)
    children = await queries.my_children(
        session, policy.visible_guardian_links(principal), principal.person_id, on
    )
    return MeOut(
        person=me_person,
        institution=InstitutionOut.model_validate(one(inst_row, "institution")),
        roles=me_person.roles,
        sections=[MySectionOut.model_validate(dict(r._mapping)) for r in sections],
        children=[
            ChildOut.model_validate(
                {**r._mapping, "display_name": f"{r.given_name} {r.family_name}"}
            )
            for r in children
        ],
    )
