"""Shared pieces of the use cases: who counts as attendance staff, retries, the code book,
closing a session."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from datetime import date, datetime
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from edtech.attendance.application.ports import Roster
from edtech.attendance.domain import (
    AbsenceReported,
    AttendanceCode,
    AttendanceSession,
    Category,
    CodeBook,
    Editor,
    MarkChange,
)
from edtech.attendance.infrastructure.records import SqlAlchemyExcuses
from edtech.attendance.infrastructure.repositories import (
    SqlAlchemyCodes,
    SqlAlchemyHistory,
    SqlAlchemyMarks,
    SqlAlchemySessions,
)
from edtech.kernel.errors import ConflictError, ForbiddenError, NotFoundError
from edtech.kernel.principal import Principal, Role
from edtech.platform.db.uow import UnitOfWork

T = TypeVar("T")
RETRIES = 4
SystemCodes = Mapping[Category, AttendanceCode]
"""The codes the arrival rule writes, by category (`P`, `T`, `A` by default)."""
ARRIVAL_CATEGORIES = (Category.PRESENT, Category.TARDY, Category.ABSENT)
_RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})
"""PostgreSQL's serialization failure and deadlock: the transaction can simply run again."""


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


class SystemCodeCache:
    """The system codes of each institution, kept for the life of the node.

    Safe without invalidation: a system code never changes its code or category and cannot be
    deactivated (see `AttendanceCode.change`), and those are all the arrival rule reads. Codes
    seeded by the caller's own (uncommitted) transaction are not cached."""

    def __init__(self) -> None:
        self._by_institution: dict[uuid.UUID, SystemCodes] = {}

    async def system_codes(self, db: AsyncSession, institution_id: uuid.UUID) -> SystemCodes:
        cached = self._by_institution.get(institution_id)
        if cached is not None:
            return cached
        stored = await SqlAlchemyCodes(db).all(institution_id)
        book = CodeBook(stored) if stored else await code_book(db, institution_id)
        found = {c: _copy(book.system(c)) for c in ARRIVAL_CATEGORIES}
        if stored:
            self._by_institution[institution_id] = found
        return found


def _copy(code: AttendanceCode) -> AttendanceCode:
    """A copy that belongs to no database session."""
    return AttendanceCode(
        id=code.id,
        institution_id=code.institution_id,
        code=code.code,
        name=code.name,
        category=code.category,
        present_percent=code.present_percent,
        is_system=code.is_system,
        is_active=code.is_active,
    )


def _retryable(exc: Exception) -> bool:
    if isinstance(exc, DBAPIError) and not isinstance(exc, IntegrityError):
        orig = exc.orig
        code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
        return code in _RETRYABLE_SQLSTATES
    return True


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
    overwriting, and simply starts over on fresh data. A unique key taken meanwhile, or a
    PostgreSQL deadlock or serialization failure, is retried the same way.
    """
    retryable: tuple[type[Exception], ...] = (StaleDataError, DBAPIError, *extra)
    for remaining in range(tries - 1, -1, -1):
        try:
            return await attempt()
        except retryable as exc:
            if not _retryable(exc):
                raise
            if remaining == 0:
                raise ConflictError("Too many concurrent changes; try again.") from exc
    raise AssertionError("unreachable")


def require_admin(principal: Principal) -> None:
    if not principal.is_institution_admin:
        raise ForbiddenError("Only institution administrators edit attendance codes.")


async def close_in(
    uow: UnitOfWork, att: AttendanceSession, roster: Roster, now: datetime, *, automatic: bool
) -> int:
    """Close `att` inside an open unit of work: unmarked → absent (or excused when an approved
    note covers the day), then tell the guardians and the student of each absence or tardy."""
    db = uow.session
    book = await code_book(db, att.institution_id)
    marks = await SqlAlchemyMarks(db).of_session(att.id)
    unmarked = [m.student_id for m in marks if not m.is_marked]
    excused = (
        await SqlAlchemyExcuses(db).approved_covering(att.institution_id, unmarked, att.day)
        if unmarked
        else set()
    )
    changes: list[MarkChange] = []
    absent = 0
    for mark in marks:
        change = mark.close_unmarked(book.system(Category.ABSENT), now=now)
        if change is None:
            continue
        absent += 1
        changes.append(change)
        if mark.student_id in excused:
            again = mark.excuse(
                book.system(Category.EXCUSED_ABSENCE),
                now=now,
                actor_id=None,
                reason="approved note",
            )
            if again is not None:
                changes.append(again)
    att.close(now, automatic=automatic, marked_absent=absent)
    await SqlAlchemyHistory(db).append(changes)
    for mark in marks:
        if mark.category not in (Category.ABSENT, Category.TARDY):
            continue
        guardians = await roster.guardians_to_notify(att.institution_id, mark.student_id)
        uow.emit(
            AbsenceReported(
                institution_id=att.institution_id,
                occurred_at=now,
                session_id=att.id,
                section_id=att.section_id,
                student_id=mark.student_id,
                day=att.day,
                category=mark.category.value,
                code=mark.official_code or "",
                minutes_late=mark.minutes_late,
                recipients=(*guardians, mark.student_id),
            )
        )
    return absent


async def cancel_in(
    session: AsyncSession,
    roster: Roster,
    institution_id: uuid.UUID,
    school_id: uuid.UUID | None,
    day: date,
    reason: str,
    now: datetime,
) -> int:
    """Cancel the day's sessions that have not ended (of one school, or all), inside the
    caller's transaction: they will take no arrivals, never close with absences, and alert no
    guardian; their boards and students are told. Returns how many were cancelled."""
    cancelled = 0
    for att in await SqlAlchemySessions(session).not_ended_on(institution_id, day, school_id):
        students = await roster.students_of_section(institution_id, att.section_id)
        cancelled += att.cancel(now, reason, tuple(students))
    return cancelled
