"""Attendance measures per school and per section over a date range, per student, as JSON
(paginated) or CSV."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import asdict
from datetime import date, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from edtech.identity.public import CurrentPrincipalDep
from edtech.insights.domain.measures import (
    ScopeMeasures,
    StudentMeasures,
    scope_measures,
)
from edtech.insights.infrastructure.measures import period_marks
from edtech.insights.infrastructure.thresholds import thresholds_of
from edtech.institutions.public import (
    display_names,
    school_clock,
    school_in_institution,
    schools_of_institution,
    section_in_institution,
    sections_in_term_on,
    teachers_of_section,
)
from edtech.kernel.errors import FieldProblem, ForbiddenError, InvalidError, NotFoundError
from edtech.kernel.principal import Principal, Role
from edtech.platform.http.csv_file import csv_response
from edtech.platform.http.deps import ClockDep, ReadSessionDep
from edtech.platform.http.pagination import Page, PageParamsDep

router = APIRouter(prefix="/api/v1/insights/attendance", tags=["insights"])

MAX_RANGE_DAYS = 400
DEFAULT_RANGE_DAYS = 30
CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The measures; with `format=csv`, every student of the scope as CSV.",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    },
    403: {"description": "Not of the school's office or administration (or the section's)."},
    404: {"description": "No such school or section in the institution."},
}

First = Annotated[
    date | None, Query(description="First school day (default: 29 days before `last`).")
]
Last = Annotated[date | None, Query(description="Last school day (default: today at the school).")]
StudentFilter = Annotated[uuid.UUID | None, Query(description="Only this student.")]
ChronicFilter = Annotated[
    bool | None, Query(description="Only chronically absent students (true) or the others.")
]
ChronicPercent = Annotated[
    int | None,
    Query(
        ge=1,
        le=100,
        description=(
            "Chronic absence threshold, % of enrolled days missed (default: the institution's "
            "`chronic_absence_percent`, GET /api/v1/insights/thresholds)."
        ),
    ),
]
Format = Annotated[Literal["json", "csv"], Query(alias="format")]


class StudentMeasuresOut(BaseModel):
    """A student's attendance over the range. Days are school days with an ended session of
    theirs in the scope; a day counts as attended in full at ≥ 75 % of its periods, as half a
    day at ≥ 25 %. Absences are periods, excused and unexcused apart."""

    student_id: uuid.UUID
    name: str | None
    days_enrolled: int
    days_attended: float
    days_absent: float
    attendance_percent: float | None
    chronic: bool
    longest_absence_streak: int
    current_absence_streak: int
    sessions: int
    absences_excused: int
    absences_unexcused: int
    tardies: int
    minutes_late: int
    first_day: date | None
    last_day: date | None


class ScopeMeasuresOut(BaseModel):
    """The scope's days, average daily membership (ADM) and attendance (ADA), and how many
    students are chronically absent."""

    days: int
    average_daily_membership: float
    average_daily_attendance: float
    ada_percent: float | None
    students: int
    chronic_students: int
    chronic_percent: int


class MeasuresPage(Page[StudentMeasuresOut]):
    """One page of students' measures, with the range (school days) and the scope's figures."""

    first: date
    last: date
    summary: ScopeMeasuresOut


def office_of(principal: Principal, school_id: uuid.UUID) -> bool:
    """The school's attendance officers and administrators (or the institution's)."""
    return principal.has_role(Role.ATTENDANCE_OFFICER, school_id) or principal.is_admin_of(
        school_id
    )


def _range(first: date | None, last: date | None, today: date) -> tuple[date, date]:
    last = last or today
    first = first or last - timedelta(days=DEFAULT_RANGE_DAYS - 1)
    if last < first or (last - first).days > MAX_RANGE_DAYS:
        raise InvalidError(
            "Invalid range.",
            [FieldProblem(("query", "last"), f"0–{MAX_RANGE_DAYS} days after first")],
        )
    return first, last


HEADER = [*StudentMeasuresOut.model_fields]


def _csv(name: str, rows: Sequence[StudentMeasuresOut]) -> Response:
    return csv_response(name, HEADER, ([*row.model_dump().values()] for row in rows))


async def _answer(
    request: Request,
    db: ReadSessionDep,
    principal: Principal,
    scope: str,
    first: date,
    last: date,
    found: tuple[ScopeMeasures, list[StudentMeasures]],
    page: PageParamsDep,
    chronic: bool | None,
    chronic_percent: int,
    fmt: str,
) -> Any:
    summary, students = found
    if chronic is not None:
        students = [s for s in students if s.chronic is chronic]
    names = await display_names(db, principal.institution_id, [s.student_id for s in students])
    rows = sorted(
        (StudentMeasuresOut(name=names.get(s.student_id), **asdict(s)) for s in students),
        key=lambda r: (r.name or "", str(r.student_id)),
    )
    if fmt == "csv":
        return _csv(f"attendance-{scope}-{first}-{last}", rows)
    total = len(rows)
    next_url = None
    if page.offset + page.limit < total:
        next_url = str(
            request.url.include_query_params(offset=page.offset + page.limit, limit=page.limit)
        )
    return MeasuresPage(
        items=rows[page.offset : page.offset + page.limit],
        total=total,
        limit=page.limit,
        offset=page.offset,
        next=next_url,
        first=first,
        last=last,
        summary=ScopeMeasuresOut(**asdict(summary), chronic_percent=chronic_percent),
    )


@router.get(
    "/schools/{school_id}",
    response_model=MeasuresPage,
    summary="A school's attendance measures",
    responses=CSV_RESPONSE,
)
async def school_measures(
    school_id: uuid.UUID,
    request: Request,
    principal: CurrentPrincipalDep,
    db: ReadSessionDep,
    clock: ClockDep,
    page: PageParamsDep,
    first: First = None,
    last: Last = None,
    student_id: StudentFilter = None,
    chronic: ChronicFilter = None,
    chronic_percent: ChronicPercent = None,
    fmt: Format = "json",
) -> Any:
    """Every student's attendance at the school over the range (default: the 30 days to today
    at the school): days enrolled, attended and absent, attendance %, chronic absence
    (≥ `chronic_percent` of enrolled days missed, excused or not), absence streaks, absences
    excused and unexcused, tardies; and the school's ADA and ADM. For the school's attendance
    officers and administrators."""
    if not await school_in_institution(db, principal.institution_id, school_id):
        raise NotFoundError("School not found.")
    if not office_of(principal, school_id):
        raise ForbiddenError("Only the school's office and administrators see its measures.")
    today = (await school_clock(db, clock, principal.institution_id, school_id)).today()
    first, last = _range(first, last, today)
    marks = await period_marks(
        db, principal.institution_id, first, last, school_id=school_id, student_id=student_id
    )
    thresholds = await thresholds_of(db, principal.institution_id)
    if chronic_percent is None:
        chronic_percent = thresholds.chronic_absence_percent
    found = scope_measures(marks, chronic_percent, thresholds.day_rule)
    return await _answer(
        request,
        db,
        principal,
        f"school-{school_id}",
        first,
        last,
        found,
        page,
        chronic,
        chronic_percent,
        fmt,
    )


@router.get(
    "/sections/{section_id}",
    response_model=MeasuresPage,
    summary="A section's attendance measures",
    responses=CSV_RESPONSE,
)
async def section_measures(
    section_id: uuid.UUID,
    request: Request,
    principal: CurrentPrincipalDep,
    db: ReadSessionDep,
    clock: ClockDep,
    page: PageParamsDep,
    first: First = None,
    last: Last = None,
    student_id: StudentFilter = None,
    chronic: ChronicFilter = None,
    chronic_percent: ChronicPercent = None,
    fmt: Format = "json",
) -> Any:
    """The section's students' attendance in its sessions over the range (the same measures as
    a school's, counted on the section's sessions only). For the section's teachers, the
    attendance officers and the administrators of its school."""
    institution_id = principal.institution_id
    if not await section_in_institution(db, institution_id, section_id):
        raise NotFoundError("Section not found.")
    at_school = await school_clock(db, clock, institution_id)
    schools = set(await schools_of_institution(db, institution_id))
    school_id = (await sections_in_term_on(db, institution_id, at_school.today(), schools)).get(
        section_id
    )
    teaches = principal.person_id in await teachers_of_section(
        db, institution_id, section_id, at_school.today()
    )
    office = office_of(principal, school_id) if school_id else principal.is_institution_admin
    if not (teaches or office):
        raise ForbiddenError("Only the section's teachers and its school's office see this.")
    if school_id is not None:
        at_school = await school_clock(db, clock, institution_id, school_id)
    first, last = _range(first, last, at_school.today())
    marks = await period_marks(
        db, institution_id, first, last, section_id=section_id, student_id=student_id
    )
    thresholds = await thresholds_of(db, principal.institution_id)
    if chronic_percent is None:
        chronic_percent = thresholds.chronic_absence_percent
    found = scope_measures(marks, chronic_percent, thresholds.day_rule)
    return await _answer(
        request,
        db,
        principal,
        f"section-{section_id}",
        first,
        last,
        found,
        page,
        chronic,
        chronic_percent,
        fmt,
    )
