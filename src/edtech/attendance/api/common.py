"""Helpers shared by the attendance routes: conversions and the roster for reads."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from edtech.attendance.api.schemas import ExcuseOut, SessionOut
from edtech.attendance.application.common import is_attendance_staff
from edtech.attendance.domain import AttendanceSession, Excuse
from edtech.attendance.infrastructure.roster import InstitutionsRoster
from edtech.kernel.errors import NotFoundError
from edtech.kernel.principal import Principal

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


async def require_watch(
    db: AsyncSession, principal: Principal, section_id: uuid.UUID, school_id: uuid.UUID, today: date
) -> None:
    """Boards, histories and section reports: the section's teachers and attendance staff."""
    if is_attendance_staff(principal, school_id):
        return
    if not await InstitutionsRoster(db, today).teaches_section(principal, section_id):
        raise NotFoundError("Session not found.")
