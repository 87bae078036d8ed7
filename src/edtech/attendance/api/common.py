"""Helpers shared by the attendance routes: conversions, the roster port, the roster for reads."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Annotated, Any

from fastapi import Depends

from edtech.attendance.api.schemas import ExcuseOut, SessionOut
from edtech.attendance.application.common import is_attendance_staff
from edtech.attendance.application.ports import Roster, RosterFactory
from edtech.attendance.domain import AttendanceSession, Excuse
from edtech.attendance.infrastructure.roster import InstitutionsRoster
from edtech.kernel.errors import NotFoundError
from edtech.kernel.principal import Principal
from edtech.platform.http.deps import ReadSessionDep, ServicesDep
from edtech.platform.security.tokens import TokenSigner
from edtech.platform.services import Services

TAG = "attendance"
PREFIX = "/api/v1/attendance"


def session_out(att: AttendanceSession | dict[str, Any]) -> SessionOut:
    data = (
        att
        if isinstance(att, dict)
        else {f.name: getattr(att, f.name) for f in dataclasses.fields(att)}
    )
    return SessionOut.model_validate(data)


def excuse_out(excuse: Excuse | Any) -> ExcuseOut:
    if isinstance(excuse, Excuse):
        data = {f.name: getattr(excuse, f.name) for f in dataclasses.fields(excuse)}
    else:
        data = dict(excuse._mapping)
    return ExcuseOut.model_validate(data)


def roster(services: Services) -> RosterFactory:
    """The roster port of the use cases (`use_case(cls, roster)`), on the node's clock."""
    return InstitutionsRoster.on_clock(services.clock)


def signer(services: Services) -> TokenSigner:
    """The signer of the rotating QR codes (`use_case(cls, signer)`)."""
    return services.signer


def read_roster(db: ReadSessionDep, services: ServicesDep) -> Roster:
    """The roster bound to the request's read session."""
    return roster(services)(db)


ReadRosterDep = Annotated[Roster, Depends(read_roster)]


async def require_watch(
    roster: Roster, principal: Principal, section_id: uuid.UUID, school_id: uuid.UUID
) -> None:
    """Boards, histories and section reports: the section's teachers and attendance staff."""
    if is_attendance_staff(principal, school_id):
        return
    if not await roster.teaches_section(principal, section_id):
        raise NotFoundError("Session not found.")
