"""Use case: render a student's report card from the published grades."""

from __future__ import annotations

import uuid

from edtech.files.application.common import keep_student_document, removed_on_failure
from edtech.files.application.ports import ObjectStorage, RecordsFactory
from edtech.files.domain import Category, StoredFile, may_read
from edtech.files.infrastructure.pdf import ReportCardDocument, ReportSection, render_report_card
from edtech.files.infrastructure.records import SliceRecords
from edtech.kernel.clock import Clock
from edtech.kernel.errors import NotFoundError
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork
from edtech.platform.storage import require_storage


async def report_card_pdf(
    records: SliceRecords, institution_id: uuid.UUID, student_id: uuid.UUID, clock: Clock
) -> bytes:
    """The report card as the families see the grades: published results only, each section's
    published total with its explanation (the totals of `GET /students/{id}/grades`)."""
    sections = await records.report(institution_id, student_id)
    titles = await records.section_titles(institution_id, [s.section_id for s in sections])
    names = await records.names(institution_id, [student_id])
    return render_report_card(
        ReportCardDocument(
            school=await records.school_name(institution_id),
            student=names.get(student_id, ""),
            dated=await records.school_time(institution_id, clock.now()),
            sections=[
                ReportSection(
                    title=titles.get(s.section_id, ""),
                    lines=[(line.title, line.points, line.max_points) for line in s.lines],
                    percent=s.percent,
                    letter=s.letter,
                    explanation=s.explanation,
                )
                for s in sections
            ],
        )
    )


class RenderReportCard:
    """Whoever may read a student's report cards (the student, guardians allowed to see
    grades, the institution's administrators) has one rendered from what is published now;
    each rendering is kept. Anyone else is told the student does not exist."""

    def __init__(
        self, uow: UnitOfWork, clock: Clock, storage: ObjectStorage, records: RecordsFactory
    ) -> None:
        self.uow, self.clock, self.storage, self.records = uow, clock, storage, records

    async def __call__(self, principal: Principal, student_id: uuid.UUID) -> StoredFile:
        require_storage(self.storage)
        institution_id = principal.institution_id
        async with self.uow as uow, removed_on_failure(self.storage) as written:
            records = self.records(uow.session)
            rights = await records.guardian_rights(principal)
            if not await records.is_person(institution_id, student_id) or not may_read(
                principal, Category.REPORT_CARD, frozenset({student_id}), rights
            ):
                raise NotFoundError("Student not found.")
            data = await report_card_pdf(records, institution_id, student_id, self.clock)
            now = self.clock.now()
            day = (await records.school_time(institution_id, now)).date()
            stored = await keep_student_document(
                uow,
                self.storage,
                written,
                institution_id=institution_id,
                student_id=student_id,
                category=Category.REPORT_CARD,
                filename=f"report-card-{day.isoformat()}.pdf",
                data=data,
                by=principal.person_id,
                now=now,
            )
        return stored
