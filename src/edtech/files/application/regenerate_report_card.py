"""Use case (a job): render a student's report card again after their grades were published."""

from __future__ import annotations

import uuid

from edtech.files.application.common import keep_student_document, removed_on_failure
from edtech.files.application.ports import ObjectStorage, RecordsFactory
from edtech.files.application.render_report_card import report_card_pdf
from edtech.files.domain import Category
from edtech.kernel.clock import Clock
from edtech.platform.db.uow import UnitOfWork
from edtech.platform.observability.logging import get_logger
from edtech.platform.storage import storage_is_set_up

log = get_logger("edtech.files")


class RegenerateReportCard:
    """When a student's results are published the report card changes: a new one is rendered
    from what is published now and kept (made by nobody: the school's system), so the newest
    report card always matches the published totals. A student who is gone gets none, nor does
    anyone on a node with nowhere to keep files (the log says so)."""

    def __init__(
        self, uow: UnitOfWork, clock: Clock, storage: ObjectStorage, records: RecordsFactory
    ) -> None:
        self.uow, self.clock, self.storage, self.records = uow, clock, storage, records

    async def __call__(self, institution_id: uuid.UUID, student_id: uuid.UUID) -> uuid.UUID | None:
        if not storage_is_set_up(self.storage):  # nobody asked: nothing to refuse, say so
            log.warning("report_card_not_rendered", reason="storage not set up")
            return None
        async with self.uow as uow, removed_on_failure(self.storage) as written:
            records = self.records(uow.session)
            if not await records.is_person(institution_id, student_id):
                log.warning("report_card_student_missing", student_id=str(student_id))
                return None
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
                by=None,
                now=now,
            )
        return stored.id
