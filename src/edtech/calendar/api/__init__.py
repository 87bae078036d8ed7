"""The calendar's routes: declared days, bell schedules, rotations, and a school's day."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, status

from edtech.calendar.api.schemas import (
    BellScheduleIn,
    BellScheduleOut,
    DayIn,
    DayOut,
    DeclaredDayOut,
    InstructionalDaysOut,
    RotationIn,
    RotationMeetingsIn,
    RotationOut,
    SchoolDayOut,
)
from edtech.calendar.application.create_bell_schedule import CreateBellSchedule
from edtech.calendar.application.create_rotation import CreateRotation, NewRotation
from edtech.calendar.application.declare_day import DeclareDay, DeclareDayCommand
from edtech.calendar.application.ports import CancelSessions, SessionCanceller
from edtech.calendar.application.set_rotation_meetings import SetRotationMeetings
from edtech.calendar.domain import (
    MAX_COUNTED_DAYS,
    DayKind,
    Period,
    RotationMeeting,
    instructional_days,
)
from edtech.calendar.infrastructure.repositories import (
    SqlAlchemyCalendar,
    days_query,
    rotations_query,
    schedules_query,
)
from edtech.calendar.infrastructure.school_days import day_plan
from edtech.identity.public import CurrentPrincipalDep
from edtech.institutions.public import academic_session, school_clock, school_in_institution
from edtech.kernel.errors import FieldProblem, InvalidError, NotFoundError, UnavailableError
from edtech.platform.http.deps import ReadSessionDep, ServicesDep, use_case
from edtech.platform.http.pagination import Page, PageParamsDep, paginate
from edtech.platform.http.types import BoundedDate
from edtech.platform.services import Services

router = APIRouter(prefix="/api/v1/calendar", tags=["calendar"])

WRITE: dict[int | str, dict[str, Any]] = {
    403: {
        "description": "Not an administrator of the school (or, for every school, of the "
        "institution)."
    },
    422: {"description": "An unknown school or schedule, a past day, or invalid values."},
}
DECLARE: dict[int | str, dict[str, Any]] = {
    **WRITE,
    409: {"description": "The day is already declared with this kind for this school."},
}


def _row(row: Any) -> dict[str, Any]:
    return dict(row._mapping)


def _cancel(services: Services) -> CancelSessions:
    """Attendance's session cancelling, as wired by the manifest (503 when it is not)."""
    canceller = services.components.find(SessionCanceller)
    if canceller is None:
        raise UnavailableError("Session cancelling is not wired into this node.")
    return canceller.cancel


DeclareDayDep = Annotated[DeclareDay, Depends(use_case(DeclareDay, _cancel))]


@router.post(
    "/days", status_code=status.HTTP_201_CREATED, response_model=DeclaredDayOut, responses=DECLARE
)
async def declare_day(
    body: DayIn, principal: CurrentPrincipalDep, declare: DeclareDayDep
) -> DeclaredDayOut:
    """Declare a holiday, a closure (a snow day declared at 06:00 cancels that day's sessions:
    no absences, no alerts, the boards and students are told) or an early release."""
    declared = await declare(
        principal,
        DeclareDayCommand(body.kind, body.reason, body.day, body.school_id, body.bell_schedule_id),
    )
    data = {f.name: getattr(declared.day, f.name) for f in dataclasses.fields(declared.day)}
    return DeclaredDayOut.model_validate(
        {**data, "cancelled_sessions": declared.cancelled_sessions}
    )


@router.get("/days", response_model=Page[DayOut])
async def list_days(
    request: Request,
    principal: CurrentPrincipalDep,
    db: ReadSessionDep,
    page: PageParamsDep,
    school_id: Annotated[
        uuid.UUID | None, Query(description="A school's and institution-wide days.")
    ] = None,
    first: Annotated[BoundedDate | None, Query(alias="from")] = None,
    last: Annotated[BoundedDate | None, Query(alias="to")] = None,
    kind: Annotated[DayKind | None, Query()] = None,
) -> Page[DayOut]:
    """The institution's declared days (every member may read its calendar), by day."""
    stmt = days_query(
        principal.institution_id,
        school_id=school_id,
        first=first,
        last=last,
        kind=kind.value if kind else None,
    )
    return await paginate(db, stmt, page, request, lambda r: DayOut.model_validate(_row(r)))


@router.get(
    "/schools/{school_id}/day",
    response_model=SchoolDayOut,
    responses={404: {"description": "No such school in your institution."}},
)
async def school_day(
    school_id: uuid.UUID,
    principal: CurrentPrincipalDep,
    db: ReadSessionDep,
    services: ServicesDep,
    day: Annotated[
        BoundedDate | None, Query(alias="date", description="Default: today at the school.")
    ] = None,
) -> SchoolDayOut:
    """What the school's day is: a school day or not (and why), its rotation labels, and the
    rotation meetings of the day in the school's wall-clock time."""
    iid = principal.institution_id
    if not await school_in_institution(db, iid, school_id):
        raise NotFoundError("school not found")
    day = day or (await school_clock(db, services.clock, iid, school_id)).today()
    plan = await day_plan(db, iid, school_id, day)
    return SchoolDayOut(
        school_id=school_id,
        day=plan.day,
        school_day=plan.school_day,
        reason=plan.reason,
        labels=plan.labels,
        meetings=[
            {
                "section_id": str(m.section_id),
                "label": m.label,
                "period": m.period,
                "starts_at": m.starts_at.isoformat("minutes"),
                "ends_at": m.ends_at.isoformat("minutes"),
            }
            for m in plan.meetings
        ],
    )


@router.get(
    "/schools/{school_id}/instructional-days",
    response_model=InstructionalDaysOut,
    responses={
        404: {"description": "No such school, or no such academic session of the school."},
        422: {
            "description": "Neither an academic session nor a whole range, both, or a range "
            f"that ends before it starts or spans more than {MAX_COUNTED_DAYS} days."
        },
    },
)
async def school_instructional_days(
    school_id: uuid.UUID,
    principal: CurrentPrincipalDep,
    db: ReadSessionDep,
    academic_session_id: Annotated[
        uuid.UUID | None,
        Query(description="Count a school year, term or grading period of the school."),
    ] = None,
    first: Annotated[BoundedDate | None, Query(alias="from")] = None,
    last: Annotated[BoundedDate | None, Query(alias="to")] = None,
) -> InstructionalDaysOut:
    """How many instructional days the school has over an academic session (a school year, as
    imported from OneRoster's `academicSessions` or created over REST) or a range: the
    weekdays that are neither holidays nor closures, the early releases among them, and the
    holidays and closures by day. Chronic absence and average daily attendance are judged
    over such days."""
    iid = principal.institution_id
    if not await school_in_institution(db, iid, school_id):
        raise NotFoundError("school not found")
    if (academic_session_id is None) == (first is None and last is None):
        raise InvalidError(
            "Give an academic session or a range (from and to), not both.",
            [FieldProblem(("query", "academic_session_id"), "an academic session or a range")],
        )
    if academic_session_id is not None:
        info = await academic_session(db, iid, academic_session_id)
        if info is None or info.school_id not in (None, school_id):
            raise NotFoundError("academic session not found")
        first, last = info.starts_on, info.ends_on
    if first is None or last is None or not 0 <= (last - first).days < MAX_COUNTED_DAYS:
        raise InvalidError(
            "Invalid range.",
            [FieldProblem(("query", "to"), f"from, and to 0–{MAX_COUNTED_DAYS - 1} days after it")],
        )
    declared = await SqlAlchemyCalendar(db).days(iid, school_id, first, last)
    counted = instructional_days(first, last, declared)
    return InstructionalDaysOut(
        school_id=school_id,
        academic_session_id=academic_session_id,
        first=counted.first,
        last=counted.last,
        weekdays=counted.weekdays,
        instructional_days=counted.instructional,
        early_release_days=counted.early_release,
        non_school_days=[
            {"day": d.day, "kind": d.kind, "reason": d.reason} for d in counted.non_school
        ],
    )


@router.post(
    "/bell-schedules",
    status_code=status.HTTP_201_CREATED,
    response_model=BellScheduleOut,
    responses={**WRITE, 409: {"description": "The school has a schedule by that name."}},
)
async def create_bell_schedule(
    body: BellScheduleIn,
    principal: CurrentPrincipalDep,
    create: Annotated[CreateBellSchedule, Depends(use_case(CreateBellSchedule))],
) -> BellScheduleOut:
    """A school's bell schedule: named periods in its wall-clock time, none overlapping."""
    periods = tuple(Period(p.name, p.starts_at, p.ends_at) for p in body.periods)
    schedule = await create(principal, body.school_id, body.name, periods)
    return BellScheduleOut.model_validate(schedule)


@router.get("/bell-schedules", response_model=Page[BellScheduleOut])
async def list_bell_schedules(
    request: Request,
    principal: CurrentPrincipalDep,
    db: ReadSessionDep,
    page: PageParamsDep,
    school_id: Annotated[uuid.UUID | None, Query()] = None,
) -> Page[BellScheduleOut]:
    """The institution's bell schedules, by name."""
    stmt = schedules_query(principal.institution_id, school_id)
    return await paginate(
        db, stmt, page, request, lambda r: BellScheduleOut.model_validate(_row(r))
    )


@router.post(
    "/rotations", status_code=status.HTTP_201_CREATED, response_model=RotationOut, responses=WRITE
)
async def create_rotation(
    body: RotationIn,
    principal: CurrentPrincipalDep,
    create: Annotated[CreateRotation, Depends(use_case(CreateRotation))],
) -> RotationOut:
    """A day rotation (A/B, Day 1–6) counted over the school's school days from `starts_on`."""
    rotation = await create(
        principal,
        NewRotation(
            body.school_id, body.name, tuple(body.labels), body.starts_on, body.bell_schedule_id
        ),
    )
    return RotationOut.model_validate(rotation)


@router.get("/rotations", response_model=Page[RotationOut])
async def list_rotations(
    request: Request,
    principal: CurrentPrincipalDep,
    db: ReadSessionDep,
    page: PageParamsDep,
    school_id: Annotated[uuid.UUID | None, Query()] = None,
) -> Page[RotationOut]:
    """The institution's rotations, by start."""
    stmt = rotations_query(principal.institution_id, school_id)
    return await paginate(db, stmt, page, request, lambda r: RotationOut.model_validate(_row(r)))


@router.put(
    "/rotations/{rotation_id}/meetings",
    response_model=RotationOut,
    responses={**WRITE, 404: {"description": "No such rotation in your institution."}},
)
async def set_rotation_meetings(
    rotation_id: uuid.UUID,
    body: RotationMeetingsIn,
    principal: CurrentPrincipalDep,
    set_meetings: Annotated[SetRotationMeetings, Depends(use_case(SetRotationMeetings))],
) -> RotationOut:
    """Which sections meet on which rotation day, in which period (replaces the list)."""
    meetings = [RotationMeeting(m.section_id, m.label, m.period) for m in body.meetings]
    rotation = await set_meetings(principal, rotation_id, meetings)
    return RotationOut.model_validate(rotation)
