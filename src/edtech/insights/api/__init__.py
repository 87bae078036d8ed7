"""The insights routes: students' signals, for their school's counsellors and administrators,
their teachers and — where the institution shares them — their guardians."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from edtech.identity.public import CurrentPrincipalDep
from edtech.insights.channels import may_follow_signals
from edtech.insights.domain import Indicator, Level
from edtech.insights.infrastructure.repositories import Visible, signals_query
from edtech.insights.infrastructure.thresholds import thresholds_of
from edtech.institutions.public import Policy, schools_of_institution
from edtech.kernel.errors import ForbiddenError, NotFoundError
from edtech.kernel.principal import Principal, Role
from edtech.platform.http.deps import ClockDep, ReadSessionDep
from edtech.platform.http.pagination import Page, PageParamsDep, paginate

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

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


NOT_SHARED = "This institution does not share early-warning signals with guardians."


async def _visible(
    db: AsyncSession, policy: Policy, principal: Principal, school_id: uuid.UUID | None
) -> Visible:
    """What the caller may see (see `list_signals`); a 403 when nothing."""
    schools = [
        sid
        for sid in await schools_of_institution(db, principal.institution_id)
        if may_follow_signals(principal, sid) and school_id in (None, sid)
    ]
    taught = policy.students_taught(principal) if principal.has_role(Role.TEACHER) else None
    attendance_of: list[uuid.UUID] = []
    grades_of: list[uuid.UUID] = []
    shared = True
    if principal.has_role(Role.GUARDIAN):
        shared = (await thresholds_of(db, principal.institution_id)).guardians_see_signals
        if shared:
            for link in await policy.children_links(principal):
                if link.allows("can_view_attendance"):
                    attendance_of.append(link.student_id)
                if link.allows("can_view_grades"):
                    grades_of.append(link.student_id)
    visible = Visible(schools, taught, attendance_of, grades_of)
    if schools or taught is not None:
        return visible
    if principal.has_role(Role.GUARDIAN):
        if not shared:
            raise ForbiddenError(NOT_SHARED, reason="guardians_not_shared")
        return visible
    raise ForbiddenError("Only counsellors, administrators, teachers and guardians see signals.")


@router.get(
    "/signals",
    response_model=Page[SignalOut],
    responses={
        403: {
            "description": (
                "Not a counsellor or administrator of any school asked, nor a teacher; a "
                "guardian of an institution that does not share signals with guardians "
                "(`reason`: `guardians_not_shared`); a student."
            )
        },
        404: {"description": "A guardian asked for a student who is not their child."},
    },
)
async def list_signals(
    request: Request,
    principal: CurrentPrincipalDep,
    db: ReadSessionDep,
    clock: ClockDep,
    page: PageParamsDep,
    level: Annotated[Level | None, Query()] = None,
    school_id: Annotated[uuid.UUID | None, Query()] = None,
    student_id: Annotated[uuid.UUID | None, Query()] = None,
    section_id: Annotated[
        uuid.UUID | None, Query(description="Only students enrolled in this section today.")
    ] = None,
) -> Page[SignalOut]:
    """Signals the caller may see, latest change first. A school's counsellors and
    administrators (institution administrators: every school): its students' signals. A
    teacher or aide: those of the students of their sections today. A guardian, where the
    institution shares them (`guardians_see_signals` in its thresholds): their own
    children's — attendance signals where the link lets them see attendance, grade signals
    where it lets them see grades; no other student's (`student_id` of another: 404). A
    student never sees signals."""
    policy = await Policy.at_school(db, clock, principal.institution_id)
    visible = await _visible(db, policy, principal, school_id)
    guardian_only = not visible.schools and visible.students is None
    if (
        guardian_only
        and student_id is not None
        and student_id not in {*visible.attendance_of, *visible.grades_of}
    ):
        raise NotFoundError("Student not found.")
    students = (
        None
        if section_id is None
        else await policy.students_of_section(principal.institution_id, section_id)
    )
    stmt = signals_query(
        principal.institution_id,
        visible,
        level=level.value if level else None,
        school_id=school_id,
        student_id=student_id,
        students=students,
    )
    return await paginate(db, stmt, page, request, lambda r: SignalOut.model_validate(_row(r)))


def _row(row: Any) -> dict[str, Any]:
    return dict(row._mapping)
