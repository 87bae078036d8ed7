"""Absence notes: a guardian explains an absence, the office approves or rejects it."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from edtech.attendance.domain.events import ExcuseDecided, ExcuseSubmitted
from edtech.kernel.errors import ConflictError, FieldProblem, InvalidError
from edtech.kernel.events import Aggregate

MAX_EXCUSE_DAYS = 366


class ExcuseState(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(eq=False, kw_only=True)
class Excuse(Aggregate):
    """A guardian's note covering the days `starts_on`..`ends_on` (before or after the fact).

    Pending until an attendance officer decides, once. Approval excuses every unexcused
    absence of the student on the covered days, and the ones still to come.
    """

    id: uuid.UUID
    institution_id: uuid.UUID
    student_id: uuid.UUID
    submitted_by: uuid.UUID
    starts_on: date
    ends_on: date
    reason: str
    attachment_ref: str | None = None
    state: ExcuseState = ExcuseState.PENDING
    submitted_at: datetime
    decided_by: uuid.UUID | None = None
    decided_at: datetime | None = None
    note: str | None = None

    @classmethod
    def submit(
        cls,
        *,
        excuse_id: uuid.UUID,
        institution_id: uuid.UUID,
        student_id: uuid.UUID,
        submitted_by: uuid.UUID,
        starts_on: date,
        ends_on: date,
        reason: str,
        attachment_ref: str | None,
        now: datetime,
    ) -> Excuse:
        problems: list[FieldProblem] = []
        if ends_on < starts_on:
            problems.append(FieldProblem(("ends_on",), "must not be before starts_on"))
        elif ends_on - starts_on > timedelta(days=MAX_EXCUSE_DAYS):
            problems.append(
                FieldProblem(("ends_on",), f"a note covers at most {MAX_EXCUSE_DAYS} days")
            )
        if not reason.strip():
            problems.append(FieldProblem(("reason",), "say why the student is absent"))
        if problems:
            raise InvalidError("Invalid absence note.", problems)
        excuse = cls(
            id=excuse_id,
            institution_id=institution_id,
            student_id=student_id,
            submitted_by=submitted_by,
            starts_on=starts_on,
            ends_on=ends_on,
            reason=reason.strip(),
            attachment_ref=attachment_ref,
            submitted_at=now,
        )
        excuse.record(
            ExcuseSubmitted(
                institution_id=institution_id,
                occurred_at=now,
                excuse_id=excuse_id,
                student_id=student_id,
                submitted_by=submitted_by,
                starts_on=starts_on,
                ends_on=ends_on,
                reason=excuse.reason,
            )
        )
        return excuse

    def covers(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on

    def decide(
        self, *, approve: bool, by: uuid.UUID, note: str | None, now: datetime, excused_marks: int
    ) -> None:
        """Record the decision; the caller has excused the covered marks when approving."""
        if self.state != ExcuseState.PENDING:
            raise ConflictError("This note has already been decided.", state=self.state.value)
        self.state = ExcuseState.APPROVED if approve else ExcuseState.REJECTED
        self.decided_by = by
        self.decided_at = now
        self.note = note
        self.record(
            ExcuseDecided(
                institution_id=self.institution_id,
                occurred_at=now,
                excuse_id=self.id,
                student_id=self.student_id,
                submitted_by=self.submitted_by,
                decision=self.state.value,
                note=note,
                excused_marks=excused_marks,
            )
        )
