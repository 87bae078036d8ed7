"""Shared pieces of the use cases: who counts as attendance staff, retries, the code book."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from edtech.attendance.application.ports import Roster
from edtech.attendance.domain import AttendanceSession, CodeBook, Editor
from edtech.attendance.infrastructure.repositories import SqlAlchemyCodes, SqlAlchemySessions
from edtech.kernel.errors import ConflictError, ForbiddenError, NotFoundError
from edtech.kernel.principal import Principal, Role

T = TypeVar("T")
RETRIES = 4


def is_attendance_staff(principal: Principal, school_id: uuid.UUID | None) -> bool:
    """Attendance officers and the school's administrators run attendance for the office."""
    return principal.has_role(Role.ATTENDANCE_OFFICER, school_id) or principal.is_admin_of(
        school_id
    )


async def editor_for(principal: Principal, session: AttendanceSession, roster: Roster) -> Editor:
    """The office if the principal is attendance staff, else the teacher; others get 404."""
    if is_attendance_staff(principal, session.school_id):
        return Editor.OFFICE
    if await roster.teaches_section(principal, session.section_id):
        return Editor.TEACHER
    raise NotFoundError("Session not found.")


async def may_watch(principal: Principal, session: AttendanceSession, roster: Roster) -> bool:
    """Only the section's teachers and attendance staff see a session's board."""
    return is_attendance_staff(principal, session.school_id) or await roster.teaches_section(
        principal, session.section_id
    )


async def load_session(
    db: AsyncSession, institution_id: uuid.UUID, session_id: uuid.UUID
) -> AttendanceSession:
    found = await SqlAlchemySessions(db).get(institution_id, session_id)
    if found is None:
        raise NotFoundError("Session not found.")
    return found


async def code_book(db: AsyncSession, institution_id: uuid.UUID) -> CodeBook:
    return await SqlAlchemyCodes(db).book(institution_id)


def require(condition: bool, message: str) -> None:
    if not condition:
        raise ForbiddenError(message)


async def retrying(
    attempt: Callable[[], Awaitable[T]],
    tries: int = RETRIES,
    extra: tuple[type[Exception], ...] = (),
) -> T:
    """Run a whole transaction again when a concurrent one changed the same rows first.

    Marks and sessions carry versions: a writer that lost the race fails its flush instead of
    overwriting, and simply starts over on fresh data.
    """
    retryable: tuple[type[Exception], ...] = (StaleDataError, IntegrityError, *extra)
    for remaining in range(tries - 1, -1, -1):
        try:
            return await attempt()
        except retryable as exc:
            if remaining == 0:
                raise ConflictError("Too many concurrent changes; try again.") from exc
    raise AssertionError("unreachable")
