"""Use case: render an attendance letter (chronic absence) for a student, as a PDF."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from edtech.files.application.common import keep_student_document, removed_on_failure
from edtech.files.application.ports import ObjectStorage, RecordsFactory
from edtech.files.domain import READ_RULES, Category, StoredFile
from edtech.files.domain.letters import fill
from edtech.files.infrastructure.letters import letter_template
from edtech.files.infrastructure.pdf import LetterDocument, render_letter
from edtech.kernel.clock import Clock
from edtech.kernel.errors import ConflictError, FieldProblem, InvalidError, NotFoundError
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork
from edtech.platform.storage import require_storage

DEFAULT_DAYS = 30
"""Without a range, the letter covers the 30 days to today at the school."""
MAX_DAYS = 400


class NotChronicallyAbsentError(ConflictError):
    """The student's absences over the range are under the chronic threshold."""

    code = "not_chronically_absent"


@dataclass(frozen=True)
class LetterRequest:
    student_id: uuid.UUID
    first: date | None = None
    last: date | None = None


class RenderAttendanceLetter:
    """The attendance office and institution administrators render the institution's
    attendance letter for a chronically absent student — days absent at least the institution's
    chronic-absence threshold (insights' thresholds; 10 % by default) of the days enrolled over
    the range, excused or not, as attendance measures count them — filled from
    the student's measures (the 30 days to today at the school unless a range is given). A
    student under the threshold gets none (409 `not_chronically_absent`). Each letter is kept
    and readable as a doctor's note is (the office, guardians who see the child's attendance).
    Anyone else is told the student does not exist."""

    def __init__(
        self, uow: UnitOfWork, clock: Clock, storage: ObjectStorage, records: RecordsFactory
    ) -> None:
        self.uow, self.clock, self.storage, self.records = uow, clock, storage, records

    async def __call__(self, principal: Principal, request: LetterRequest) -> StoredFile:
        require_storage(self.storage)
        institution_id, student_id = principal.institution_id, request.student_id
        if not principal.roles & READ_RULES[Category.ATTENDANCE_LETTER].staff:
            raise NotFoundError("Student not found.")
        async with self.uow as uow, removed_on_failure(self.storage) as written:
            records = self.records(uow.session)
            if not await records.is_person(institution_id, student_id):
                raise NotFoundError("Student not found.")
            today = await records.school_today(institution_id, self.clock)
            last = request.last or today
            first = request.first or last - timedelta(days=DEFAULT_DAYS - 1)
            check_range(first, last)
            chronic_percent = await records.chronic_percent(institution_id)
            measures = await records.attendance_measures(
                institution_id, student_id, first, last, chronic_percent
            )
            if not measures.chronic:
                raise NotChronicallyAbsentError(
                    "The student is not chronically absent over these days: no letter.",
                    days_absent=measures.days_absent,
                    days_enrolled=measures.days_enrolled,
                )
            template = await letter_template(uow.session, institution_id)
            school = await records.school_name(institution_id)
            names = await records.names(institution_id, [student_id])
            values = {
                "student": names.get(student_id),
                "school": school,
                "date": today.isoformat(),
                "from": first.isoformat(),
                "to": last.isoformat(),
                "days_enrolled": measures.days_enrolled,
                "days_absent": _days(measures.days_absent),
                "days_attended": _days(measures.days_attended),
                "attendance_percent": measures.attendance_percent,
                "absences_excused": measures.absences_excused,
                "absences_unexcused": measures.absences_unexcused,
                "chronic_percent": chronic_percent,
            }
            now = self.clock.now()
            data = render_letter(
                LetterDocument(
                    school=school,
                    title=fill(template.title, values),
                    body=fill(template.body, values),
                    dated=await records.school_time(institution_id, now),
                )
            )
            stored = await keep_student_document(
                uow,
                self.storage,
                written,
                institution_id=institution_id,
                student_id=student_id,
                category=Category.ATTENDANCE_LETTER,
                filename=f"attendance-letter-{today.isoformat()}.pdf",
                data=data,
                by=principal.person_id,
                now=now,
            )
        return stored


def check_range(first: date, last: date) -> None:
    if first > last:
        raise InvalidError("the range ends before it starts", [FieldProblem(("from",), "after to")])
    if (last - first).days >= MAX_DAYS:
        raise InvalidError(
            f"at most {MAX_DAYS} days", [FieldProblem(("from",), f"at most {MAX_DAYS} days")]
        )


def _days(value: float) -> str:
    """Days, with a half day as .5 and a whole day without decimals."""
    return f"{value:g}"
