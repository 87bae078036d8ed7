"""Realtime: the live board channel `attendance.session.{id}` and where attendance events go."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel

from edtech.attendance.application.common import may_watch
from edtech.attendance.domain import (
    AbsenceReported,
    ExcuseDecided,
    MarkChanged,
    RosterChanged,
    ScanRecorded,
    SessionCancelled,
    SessionClosed,
    SessionLocked,
    SessionOpened,
)
from edtech.attendance.infrastructure.repositories import SqlAlchemySessions
from edtech.attendance.infrastructure.roster import InstitutionsRoster
from edtech.kernel.principal import Principal
from edtech.realtime.public import AuthorizationContext, ChannelType, Delivery, Registrar, inbox


class MarkData(BaseModel):
    student_id: uuid.UUID
    teacher_code: str | None
    official_code: str | None
    category: str | None
    minutes_late: int | None
    arrived_at: datetime | None
    departed_at: datetime | None
    source: str | None
    version: int


class ScanRecordedData(BaseModel):
    session_id: uuid.UUID
    student_id: uuid.UUID
    scanned_at: datetime
    source: str
    mark: MarkData


class MarkChangedData(BaseModel):
    session_id: uuid.UUID
    student_id: uuid.UUID
    source: str
    mark: MarkData


class RosterChangedData(BaseModel):
    """A student joined the session's roster (`added`, with their unmarked mark: add the tile)
    or left it (`removed`: their unmarked tile goes; a recorded mark is never removed)."""

    session_id: uuid.UUID
    section_id: uuid.UUID
    student_id: uuid.UUID
    change: Literal["added", "removed"]
    mark: MarkData | None


class SessionStateData(BaseModel):
    session_id: uuid.UUID
    section_id: uuid.UUID


class SessionClosedData(SessionStateData):
    automatic: bool
    marked_absent: int


class SessionCancelledData(SessionStateData):
    """The session will not take place: no absences, no alerts. `by_hand`: its teacher or the
    office cancelled this one session; otherwise a closure or holiday cancelled the day's."""

    day: date
    reason: str
    by_hand: bool = False


class AbsenceReportedData(BaseModel):
    session_id: uuid.UUID
    section_id: uuid.UUID
    student_id: uuid.UUID
    day: date
    category: str
    code: str
    minutes_late: int | None


class ExcuseDecidedData(BaseModel):
    excuse_id: uuid.UUID
    student_id: uuid.UUID
    submitted_by: uuid.UUID
    decision: str
    note: str | None
    excused_marks: int


async def may_watch_session(
    principal: Principal, params: Mapping[str, uuid.UUID], ctx: AuthorizationContext
) -> bool:
    """Only the section's teachers and aides, and attendance staff, watch a session's board."""
    att = await SqlAlchemySessions(ctx.session).get(principal.institution_id, params["id"])
    if att is None:
        return False
    return await may_watch(principal, att, InstitutionsRoster(ctx.session, clock=ctx.clock))


SESSION_CHANNEL = ChannelType(
    pattern="attendance.session.{id}",
    authorize=may_watch_session,
    description=(
        "A session's live board: scans, mark changes, students joining or leaving the "
        "section's roster, and the session's state. Only the "
        "section's teachers and attendance staff may subscribe. Durable: load the board over "
        "REST, then subscribe with `since` = the board's `channel.offset`."
    ),
    durable=True,
    history_size=2000,
    events={
        ScanRecorded.type: ScanRecordedData,
        MarkChanged.type: MarkChangedData,
        RosterChanged.type: RosterChangedData,
        SessionOpened.type: SessionStateData,
        SessionClosed.type: SessionClosedData,
        SessionLocked.type: SessionStateData,
        SessionCancelled.type: SessionCancelledData,
    },
)


def board_channel(session_id: uuid.UUID) -> str:
    return SESSION_CHANNEL.name(id=session_id)


def _to_board(
    event: ScanRecorded
    | MarkChanged
    | RosterChanged
    | SessionOpened
    | SessionClosed
    | SessionLocked,
) -> Iterable[str]:
    return [board_channel(event.session_id)]


def _cancelled(event: SessionCancelled) -> Iterable[Delivery]:
    """The board, and each student who had the session (their own inbox)."""
    data = event.payload()
    data.pop("recipients", None)
    board = [Delivery(board_channel(event.session_id), data)]
    return board + [Delivery(inbox(r), data) for r in dict.fromkeys(event.recipients)]


def _to_recipients(event: AbsenceReported) -> Iterable[Delivery]:
    data = event.payload()
    return [Delivery(inbox(r), data) for r in dict.fromkeys(event.recipients)]


def _to_submitter(event: ExcuseDecided) -> Iterable[str]:
    return [inbox(event.submitted_by)]


def register(registry: Registrar) -> None:
    """Declare the board channel and route attendance events (user.{id} is the hub's own)."""
    registry.add(SESSION_CHANNEL)
    for event_class in (
        ScanRecorded,
        MarkChanged,
        RosterChanged,
        SessionOpened,
        SessionClosed,
        SessionLocked,
    ):
        registry.route(event_class, _to_board)
    registry.route(SessionCancelled, _cancelled)
    registry.route(AbsenceReported, _to_recipients)
    registry.route(ExcuseDecided, _to_submitter)
    registry.describe(
        "user.{id}",
        {
            AbsenceReported.type: AbsenceReportedData,
            ExcuseDecided.type: ExcuseDecidedData,
            SessionCancelled.type: SessionCancelledData,
        },
    )
