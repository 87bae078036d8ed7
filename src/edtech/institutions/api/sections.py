"""Routes for sections: the teaching groups, their rosters and their concrete meetings."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, status

from edtech.identity.public import CurrentPrincipalDep
from edtech.institutions.api.deps import PolicyDep, one
from edtech.institutions.api.schemas import (
    MeetingOut,
    MeetingTimeIO,
    RosterEntryOut,
    SectionIn,
    SectionOut,
    SectionPatch,
)
from edtech.institutions.application.create_section import CreateSection, NewSection
from edtech.institutions.application.update_section import UpdateSection
from edtech.institutions.domain import EnrollmentRole, MeetingTime
from edtech.institutions.infrastructure import queries
from edtech.institutions.infrastructure.meetings import section_meetings, section_zone
from edtech.institutions.policy import Policy
from edtech.kernel.clock import school_zone
from edtech.kernel.errors import FieldProblem, ForbiddenError, InvalidError, NotFoundError
from edtech.kernel.principal import Principal
from edtech.platform.http.deps import ClockDep, use_case
from edtech.platform.http.pagination import Page, PageParamsDep, paginate
from edtech.platform.http.types import BoundedDate

router = APIRouter(prefix="/api/v1", tags=["sections"])
MAX_MEETING_DAYS = 62


def _pattern(meetings: list[MeetingTimeIO]) -> tuple[MeetingTime, ...]:
    return tuple(MeetingTime(m.weekday, m.starts_at, m.ends_at) for m in meetings)


def _out(row: Any) -> SectionOut:
    return SectionOut.model_validate(dict(row._mapping))


async def _section(policy: Policy, principal: Principal, section_id: uuid.UUID) -> SectionOut:
    row = await queries.section_row(policy.session, policy.visible_sections(principal), section_id)
    return SectionOut.model_validate(one(row, "section"))


@router.get("/sections", response_model=Page[SectionOut], summary="List sections")
async def list_sections(
    request: Request,
    principal: CurrentPrincipalDep,
    policy: PolicyDep,
    page: PageParamsDep,
    school_id: uuid.UUID | None = None,
    term_id: uuid.UUID | None = None,
    course_id: uuid.UUID | None = None,
    person_id: Annotated[
        uuid.UUID | None, Query(description="Sections this person is enrolled in today.")
    ] = None,
    q: Annotated[
        str | None, Query(max_length=100, description="Title, code or course contains.")
    ] = None,
) -> Page[SectionOut]:
    """Staff see every section; students and guardians those they or their children are in."""
    if person_id is not None and not await policy.may_view_person(principal, person_id):
        raise NotFoundError("person not found")
    stmt = queries.sections(
        policy.visible_sections(principal),
        school_id=school_id,
        term_id=term_id,
        course_id=course_id,
        person_id=person_id,
        q=q,
        on=policy.today,
    )
    return await paginate(policy.session, stmt, page, request, _out)


@router.post(
    "/sections",
    response_model=SectionOut,
    status_code=status.HTTP_201_CREATED,
    summary="Add a section",
)
async def create_section(
    body: SectionIn,
    principal: CurrentPrincipalDep,
    create: Annotated[CreateSection, Depends(use_case(CreateSection))],
    policy: PolicyDep,
) -> SectionOut:
    """A section belongs to its course's school, runs in a term, and meets at weekly times."""
    fields = body.model_dump(exclude={"meetings"})
    section_id = await create(principal, NewSection(**fields, meetings=_pattern(body.meetings)))
    return await _section(policy, principal, section_id)


@router.get("/sections/{section_id}", response_model=SectionOut, summary="One section")
async def get_section(
    section_id: uuid.UUID, principal: CurrentPrincipalDep, policy: PolicyDep
) -> SectionOut:
    return await _section(policy, principal, section_id)


@router.patch("/sections/{section_id}", response_model=SectionOut, summary="Change a section")
async def patch_section(
    section_id: uuid.UUID,
    body: SectionPatch,
    principal: CurrentPrincipalDep,
    update: Annotated[UpdateSection, Depends(use_case(UpdateSection))],
    policy: PolicyDep,
) -> SectionOut:
    changes = body.model_dump(exclude_unset=True, exclude={"meetings"})
    if "meetings" in body.model_fields_set:
        changes["meetings"] = None if body.meetings is None else _pattern(body.meetings)
    await update(principal, section_id, changes)
    return await _section(policy, principal, section_id)


@router.get(
    "/sections/{section_id}/roster",
    response_model=Page[RosterEntryOut],
    summary="Who is in the section",
)
async def get_roster(
    section_id: uuid.UUID,
    request: Request,
    principal: CurrentPrincipalDep,
    policy: PolicyDep,
    page: PageParamsDep,
    role: EnrollmentRole | None = None,
) -> Page[RosterEntryOut]:
    """Teachers and aides of the section and the school office see its roster, as of today."""
    if not await policy.may_view_section(principal, section_id):
        raise NotFoundError("section not found")
    if not await policy.may_view_roster(principal, section_id):
        raise ForbiddenError("only the section's teachers and the school office see its roster")
    stmt = queries.roster(principal.institution_id, section_id, policy.today, role=role)
    return await paginate(
        policy.session,
        stmt,
        page,
        request,
        lambda r: RosterEntryOut.model_validate(dict(r._mapping)),
    )


@router.get(
    "/sections/{section_id}/meetings", response_model=list[MeetingOut], summary="Concrete meetings"
)
async def get_meetings(
    section_id: uuid.UUID,
    principal: CurrentPrincipalDep,
    policy: PolicyDep,
    clock: ClockDep,
    from_: Annotated[
        BoundedDate | None,
        Query(alias="from", description="First day (default: today where the section meets)."),
    ] = None,
    to: Annotated[
        BoundedDate | None, Query(description="Last day, inclusive (default = from).")
    ] = None,
) -> list[MeetingOut]:
    """The section's meetings as UTC instants, generated from its weekly pattern within its term."""
    if not await policy.may_view_section(principal, section_id):
        raise NotFoundError("section not found")
    if from_ is None:  # today on the calendar of the section's school, not the institution's
        zone = await section_zone(policy.session, principal.institution_id, section_id)
        from_ = clock.now().astimezone(school_zone(zone)).date()
    first = from_
    last = to or first
    if last < first or last - first > timedelta(days=MAX_MEETING_DAYS):
        raise InvalidError(
            "bad date range",
            [FieldProblem(("query", "to"), f"must be within {MAX_MEETING_DAYS} days after from")],
        )
    meetings = await section_meetings(
        policy.session, principal.institution_id, first, last, section_id
    )
    return [MeetingOut.model_validate(m) for m in meetings]
