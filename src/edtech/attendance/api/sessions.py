"""Routes for codes, sessions, the live board and marks."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, status

from edtech.attendance.api.common import (
    PREFIX,
    TAG,
    ReadRosterDep,
    require_watch,
    roster,
    session_out,
)
from edtech.attendance.api.schemas import (
    BoardOut,
    CancelIn,
    ChannelPosition,
    CodeIn,
    CodeOut,
    CodePatch,
    CountOut,
    MarkChangeOut,
    MarkIn,
    MarkOut,
    PlanIn,
    PlanOut,
    SessionIn,
    SessionOut,
    StudentRef,
)
from edtech.attendance.application.cancel_session import CancelSession
from edtech.attendance.application.change_code import ChangeCode
from edtech.attendance.application.close_session import CloseSession
from edtech.attendance.application.common import is_attendance_staff
from edtech.attendance.application.create_code import CodeCommand, CreateCode
from edtech.attendance.application.create_session import CreateSession, CreateSessionCommand
from edtech.attendance.application.list_codes import ListCodes
from edtech.attendance.application.lock_session import LockSession
from edtech.attendance.application.mark_all_present import MarkAllPresent
from edtech.attendance.application.mark_student import MarkCommand, MarkStudent
from edtech.attendance.application.open_session import OpenSession
from edtech.attendance.application.plan_sessions import PlanSessions
from edtech.attendance.channels import board_channel
from edtech.attendance.domain import AttendanceCode
from edtech.attendance.infrastructure import queries
from edtech.identity.public import CurrentPrincipalDep
from edtech.institutions.public import Policy
from edtech.kernel.errors import NotFoundError
from edtech.platform.http.deps import ReadSessionDep, ServicesDep, use_case
from edtech.platform.http.pagination import Page, PageParamsDep, paginate

router = APIRouter(prefix=PREFIX, tags=[TAG])


def code_out(code: AttendanceCode) -> CodeOut:
    return CodeOut(
        code=code.code,
        name=code.name,
        category=code.category,
        present_percent=code.present_percent,
        ed_fi_category=code.ed_fi_category,
        is_system=code.is_system,
        is_active=code.is_active,
    )


@router.get("/codes", response_model=list[CodeOut], summary="The institution's attendance codes")
async def list_codes(
    principal: CurrentPrincipalDep, codes: Annotated[ListCodes, Depends(use_case(ListCodes))]
) -> list[CodeOut]:
    """System codes first (`P`, `T`, `A`, `E`, `ED`), each mapped to its Ed-Fi category."""
    return [code_out(c) for c in await codes(principal)]


@router.post("/codes", response_model=CodeOut, status_code=status.HTTP_201_CREATED)
async def create_code(
    body: CodeIn,
    principal: CurrentPrincipalDep,
    create: Annotated[CreateCode, Depends(use_case(CreateCode))],
) -> CodeOut:
    code = await create(
        principal, CodeCommand(body.code, body.name, body.category, body.present_percent)
    )
    return code_out(code)


@router.patch("/codes/{code}", response_model=CodeOut)
async def change_code(
    code: str,
    body: CodePatch,
    principal: CurrentPrincipalDep,
    change: Annotated[ChangeCode, Depends(use_case(ChangeCode))],
) -> CodeOut:
    changed = await change(principal, code, body.model_dump(exclude_none=True))
    return code_out(changed)


@router.post("/sessions/plan", response_model=PlanOut, status_code=status.HTTP_201_CREATED)
async def plan_sessions(
    body: PlanIn,
    principal: CurrentPrincipalDep,
    plan: Annotated[PlanSessions, Depends(use_case(PlanSessions, roster))],
) -> PlanOut:
    """Create sessions from the sections' meeting patterns for a day or a range (idempotent)."""
    created = await plan(
        principal, principal.institution_id, body.first, body.last, body.section_ids
    )
    return PlanOut(created=created)


@router.post("/sessions", response_model=SessionOut, status_code=status.HTTP_201_CREATED)
async def create_session(
    body: SessionIn,
    principal: CurrentPrincipalDep,
    create: Annotated[CreateSession, Depends(use_case(CreateSession, roster))],
) -> SessionOut:
    att = await create(
        principal,
        CreateSessionCommand(
            section_id=body.section_id,
            starts_at=body.starts_at,
            ends_at=body.ends_at,
            grace_minutes=body.grace_minutes,
            late_cutoff_minutes=body.late_cutoff_minutes,
            opens_before_minutes=body.opens_before_minutes,
        ),
    )
    return session_out(att)


@router.get("/sessions", response_model=Page[SessionOut], summary="List sessions")
async def list_sessions(
    request: Request,
    principal: CurrentPrincipalDep,
    db: ReadSessionDep,
    services: ServicesDep,
    page: PageParamsDep,
    section_id: Annotated[uuid.UUID | None, Query()] = None,
    day: Annotated[date | None, Query(alias="date")] = None,
) -> Page[SessionOut]:
    """Attendance staff see every session; teachers those of the sections they teach."""
    sections = None
    if not is_attendance_staff(principal, None):
        policy = await Policy.at_school(db, services.clock, principal.institution_id)
        sections = policy.teaching_sections(principal)
    stmt = queries.sessions_query(
        principal.institution_id, section_id=section_id, day=day, sections=sections
    )
    return await paginate(db, stmt, page, request, lambda r: session_out(dict(r._mapping)))


@router.get("/sessions/{session_id}/board", response_model=BoardOut, summary="The live board")
async def get_board(
    session_id: uuid.UUID, principal: CurrentPrincipalDep, db: ReadSessionDep, roster: ReadRosterDep
) -> BoardOut:
    """The roster with each student's mark, the tally, who is still missing, and the channel
    offset this snapshot reflects: subscribe with `since` = that offset to miss nothing."""
    channel = board_channel(session_id)
    snap = await queries.board(db, principal.institution_id, session_id, channel)
    if snap is None:
        raise NotFoundError("Session not found.")
    await require_watch(roster, principal, snap.session["section_id"], snap.session["school_id"])
    names = await roster.names(principal.institution_id, [m["student_id"] for m in snap.marks])
    marks = sorted(
        (MarkOut(name=names.get(m["student_id"]), **m) for m in snap.marks),
        key=lambda m: (m.name or "", str(m.student_id)),
    )
    return BoardOut(
        session=session_out(snap.session),
        marks=marks,
        tally=snap.tally,
        missing=[
            StudentRef(student_id=m.student_id, name=m.name) for m in marks if m.category is None
        ],
        channel=ChannelPosition(name=channel, offset=snap.offset, epoch=snap.epoch),
    )


@router.get("/sessions/{session_id}", response_model=SessionOut)
async def get_session(
    session_id: uuid.UUID, principal: CurrentPrincipalDep, db: ReadSessionDep, roster: ReadRosterDep
) -> SessionOut:
    row = await queries.session_row(db, principal.institution_id, session_id)
    if row is None:
        raise NotFoundError("Session not found.")
    await require_watch(roster, principal, row.section_id, row.school_id)
    return session_out(dict(row._mapping))


def _mark_out(mark: Any) -> MarkOut:
    return MarkOut(**mark.snapshot())


@router.put("/sessions/{session_id}/marks/{student_id}", response_model=MarkOut)
async def put_mark(
    session_id: uuid.UUID,
    student_id: uuid.UUID,
    body: MarkIn,
    principal: CurrentPrincipalDep,
    mark_student: Annotated[MarkStudent, Depends(use_case(MarkStudent, roster))],
) -> MarkOut:
    """Teachers record what they saw; the office sets the official code. Send the `version`
    you loaded: a stale one gets 409 with the current mark. After lock: office + reason."""
    mark = await mark_student(
        principal,
        MarkCommand(
            session_id=session_id,
            student_id=student_id,
            code=body.code,
            version=body.version,
            minutes_late=body.minutes_late,
            arrived_at=body.arrived_at,
            departed_at=body.departed_at,
            reason=body.reason,
        ),
    )
    return _mark_out(mark)


@router.get("/sessions/{session_id}/marks/{student_id}/history", response_model=list[MarkChangeOut])
async def mark_history(
    session_id: uuid.UUID,
    student_id: uuid.UUID,
    principal: CurrentPrincipalDep,
    db: ReadSessionDep,
    roster: ReadRosterDep,
) -> list[MarkChangeOut]:
    """Every change of the mark, oldest first: who, when, before, after, why."""
    await get_session(session_id, principal, db, roster)
    rows = await queries.mark_history(db, principal.institution_id, session_id, student_id)
    return [MarkChangeOut.model_validate(dict(r._mapping)) for r in rows]


@router.post("/sessions/{session_id}/mark-all-present", response_model=CountOut)
async def mark_all_present(
    session_id: uuid.UUID,
    principal: CurrentPrincipalDep,
    mark_all: Annotated[MarkAllPresent, Depends(use_case(MarkAllPresent, roster))],
) -> CountOut:
    changed = await mark_all(principal, session_id)
    return CountOut(changed=changed)


@router.post("/sessions/{session_id}/open", response_model=SessionOut)
async def open_session(
    session_id: uuid.UUID,
    principal: CurrentPrincipalDep,
    open_: Annotated[OpenSession, Depends(use_case(OpenSession, roster))],
) -> SessionOut:
    return session_out(await open_(principal, session_id))


@router.post("/sessions/{session_id}/close", response_model=SessionOut)
async def close_session(
    session_id: uuid.UUID,
    principal: CurrentPrincipalDep,
    close: Annotated[CloseSession, Depends(use_case(CloseSession, roster))],
) -> SessionOut:
    """Close now: unmarked students become absent and guardians are told."""
    return session_out(await close(principal, session_id))


@router.post("/sessions/{session_id}/lock", response_model=SessionOut)
async def lock_session(
    session_id: uuid.UUID,
    principal: CurrentPrincipalDep,
    lock: Annotated[LockSession, Depends(use_case(LockSession, roster))],
) -> SessionOut:
    return session_out(await lock(principal, session_id))


@router.post(
    "/sessions/{session_id}/cancel",
    response_model=SessionOut,
    summary="Cancel one session, with a reason",
    responses={
        404: {"description": "No such session, or not one of your sections'."},
        409: {"description": "The session is already closed, locked or cancelled."},
        422: {"description": "No reason, or one longer than 200 characters."},
    },
)
async def cancel_session(
    session_id: uuid.UUID,
    body: CancelIn,
    principal: CurrentPrincipalDep,
    cancel: Annotated[CancelSession, Depends(use_case(CancelSession, roster))],
) -> SessionOut:
    """The section's teacher or the office cancels a session that has not ended, saying why:
    nobody is marked absent, no guardian is alerted, the closing sweep leaves it alone, and the
    board and each student who had it get `attendance.session_cancelled` (`by_hand: true`)."""
    return session_out(await cancel(principal, session_id, body.reason))
