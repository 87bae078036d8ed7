"""Marks: one per (session, student); the teacher's observation apart from the official code."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from edtech.attendance.domain.codes import AttendanceCode, Category
from edtech.attendance.domain.events import MarkChanged, ScanRecorded
from edtech.kernel.errors import ConflictError, FieldProblem, ForbiddenError, InvalidError
from edtech.kernel.events import Aggregate


class Source(enum.StrEnum):
    """Where the current official code came from."""

    SCAN = "scan"
    QR = "qr"
    TEACHER = "teacher"
    OFFICE = "office"
    AUTO = "auto"


class Editor(enum.StrEnum):
    """Who edits by hand: the section's teacher, or the office (attendance officer, admins)."""

    TEACHER = "teacher"
    OFFICE = "office"


class StaleMarkError(ConflictError):
    """The client edited an older version of the mark; it must reload and retry."""

    code = "stale_version"


@dataclass(frozen=True)
class MarkChange:
    """One line of a mark's append-only history: who, when, before and after, and why."""

    mark_id: uuid.UUID
    institution_id: uuid.UUID
    session_id: uuid.UUID
    student_id: uuid.UUID
    at: datetime
    actor_id: uuid.UUID | None
    source: Source
    before: dict[str, Any]
    after: dict[str, Any]
    reason: str | None


@dataclass(eq=False, kw_only=True)
class Mark(Aggregate):
    """A student's attendance in one session; created unmarked when the session is planned.

    `teacher_code` is what the teacher observed; `official_code` is what counts. A teacher's
    mark sets both unless the office has overridden the official code, which a teacher then no
    longer changes. Every change bumps `version` (optimistic concurrency) and yields a
    `MarkChange` for the history.
    """

    id: uuid.UUID
    institution_id: uuid.UUID
    session_id: uuid.UUID
    student_id: uuid.UUID
    teacher_code: str | None = None
    official_code: str | None = None
    category: Category | None = None
    minutes_late: int | None = None
    arrived_at: datetime | None = None
    departed_at: datetime | None = None
    source: Source | None = None
    version: int = 0
    updated_at: datetime | None = None
    updated_by: uuid.UUID | None = None

    @property
    def is_marked(self) -> bool:
        return self.official_code is not None

    def snapshot(self) -> dict[str, Any]:
        """The mark as JSON-ready data (events, history, board)."""
        return {
            "student_id": str(self.student_id),
            "teacher_code": self.teacher_code,
            "official_code": self.official_code,
            "category": self.category.value if self.category else None,
            "minutes_late": self.minutes_late,
            "arrived_at": self.arrived_at.isoformat() if self.arrived_at else None,
            "departed_at": self.departed_at.isoformat() if self.departed_at else None,
            "source": self.source.value if self.source else None,
            "version": self.version,
        }

    def arrive(
        self,
        code: AttendanceCode,
        *,
        at: datetime,
        minutes_late: int,
        source: Source,
        actor_id: uuid.UUID,
        now: datetime,
    ) -> MarkChange | None:
        """A scan or QR check-in: marks an unmarked student only (a mark is never made twice)."""
        if self.is_marked:
            return None
        before = self.snapshot()
        self.official_code = code.code
        self.category = code.category
        self.minutes_late = minutes_late if code.category != Category.PRESENT else 0
        self.arrived_at = at
        self.source = source
        change = self._changed(before, now, actor_id, None)
        self.record(
            ScanRecorded(
                institution_id=self.institution_id,
                occurred_at=now,
                session_id=self.session_id,
                student_id=self.student_id,
                scanned_at=at,
                source=source.value,
                mark=change.after,
            )
        )
        return change

    def edit(
        self,
        code: AttendanceCode,
        *,
        editor: Editor,
        actor_id: uuid.UUID,
        now: datetime,
        expected_version: int | None = None,
        minutes_late: int | None = None,
        arrived_at: datetime | None = None,
        departed_at: datetime | None = None,
        reason: str | None = None,
        locked: bool = False,
    ) -> MarkChange | None:
        """A hand edit. Stale versions get 409; a locked session needs the office and a reason."""
        if expected_version is not None and expected_version != self.version:
            raise StaleMarkError(
                "The mark changed since you loaded it.",
                current_version=self.version,
                mark=self.snapshot(),
            )
        if locked and editor != Editor.OFFICE:
            raise ForbiddenError(
                "The session is locked: only the attendance officer may change it."
            )
        if locked and not (reason or "").strip():
            raise InvalidError(
                "A reason is required to change a locked session.",
                [FieldProblem(("reason",), "required after lock")],
            )
        if minutes_late is not None and minutes_late < 0:
            raise InvalidError(
                "Invalid mark.", [FieldProblem(("minutes_late",), "must be 0 or more")]
            )
        before = self.snapshot()
        if editor == Editor.TEACHER:
            self.teacher_code = code.code
        if editor == Editor.OFFICE or self.source != Source.OFFICE:
            self.official_code = code.code
            self.category = code.category
            self.source = Source.OFFICE if editor == Editor.OFFICE else Source.TEACHER
            if code.category == Category.TARDY:
                self.minutes_late = minutes_late if minutes_late is not None else self.minutes_late
            elif code.category == Category.PRESENT:
                self.minutes_late = 0
            elif minutes_late is not None:
                self.minutes_late = minutes_late
        if arrived_at is not None:
            self.arrived_at = arrived_at
        if departed_at is not None:
            self.departed_at = departed_at
        return self._changed_with_event(before, now, actor_id, reason)

    def close_unmarked(self, absent: AttendanceCode, *, now: datetime) -> MarkChange | None:
        """Closing the session: a student nobody marked is absent."""
        if self.is_marked:
            return None
        before = self.snapshot()
        self.official_code = absent.code
        self.category = absent.category
        self.source = Source.AUTO
        return self._changed_with_event(before, now, None, "unmarked at close")

    def excuse(
        self, excused: AttendanceCode, *, now: datetime, actor_id: uuid.UUID | None, reason: str
    ) -> MarkChange | None:
        """An approved absence note turns an unexcused absence into an excused one."""
        if self.category != Category.ABSENT:
            return None
        before = self.snapshot()
        self.official_code = excused.code
        self.category = excused.category
        self.source = Source.OFFICE
        return self._changed_with_event(before, now, actor_id, reason)

    def _changed(
        self, before: dict[str, Any], now: datetime, actor_id: uuid.UUID | None, reason: str | None
    ) -> MarkChange:
        self.version += 1
        self.updated_at = now
        self.updated_by = actor_id
        assert self.source is not None
        return MarkChange(
            mark_id=self.id,
            institution_id=self.institution_id,
            session_id=self.session_id,
            student_id=self.student_id,
            at=now,
            actor_id=actor_id,
            source=self.source,
            before=before,
            after=self.snapshot(),
            reason=reason,
        )

    def _changed_with_event(
        self, before: dict[str, Any], now: datetime, actor_id: uuid.UUID | None, reason: str | None
    ) -> MarkChange | None:
        unchanged = {**self.snapshot(), "version": before["version"]} == before
        if unchanged:
            return None
        change = self._changed(before, now, actor_id, reason)
        self.record(
            MarkChanged(
                institution_id=self.institution_id,
                occurred_at=now,
                session_id=self.session_id,
                student_id=self.student_id,
                source=change.source.value,
                mark=change.after,
            )
        )
        return change
