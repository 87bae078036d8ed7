"""Use case: an institution administrator produces everything held about one student."""

from __future__ import annotations

import uuid

from edtech.files.application.common import keep_student_document, removed_on_failure
from edtech.files.application.ports import ObjectStorage, RecordsFactory
from edtech.files.application.render_report_card import report_card_pdf
from edtech.files.domain import READ_RULES, Category, StoredFile, clean_filename
from edtech.files.infrastructure.package import PackedFile, build_zip
from edtech.files.infrastructure.repository import (
    files_by_ids,
    files_of_student,
)
from edtech.kernel.clock import Clock
from edtech.kernel.errors import NotFoundError
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork
from edtech.platform.observability.logging import get_logger
from edtech.platform.storage import require_storage, sha256_hex

log = get_logger("edtech.files")


class ProduceRecordPackage:
    """FERPA / GDPR access requests: an institution administrator gets, for one student, a zip
    of every record edtech holds about them — roster data and guardian links, attendance with
    its history, grades with their history, the conversations they are part of or that are
    about them, their payer accounts with invoices and payments, and every file kept about them
    — as JSON and CSV with a manifest, plus a report card. Nothing of another student is in it
    (a family invoice keeps only this student's lines). Each package is kept as a file (who
    produced it and when: the audit) and logged."""

    def __init__(
        self, uow: UnitOfWork, clock: Clock, storage: ObjectStorage, records: RecordsFactory
    ) -> None:
        self.uow, self.clock, self.storage, self.records = uow, clock, storage, records

    async def __call__(self, principal: Principal, student_id: uuid.UUID) -> StoredFile:
        require_storage(self.storage)
        institution_id = principal.institution_id
        if not principal.roles & READ_RULES[Category.RECORD_PACKAGE].staff:
            raise NotFoundError("Student not found.")
        async with self.uow as uow, removed_on_failure(self.storage) as written:
            records = self.records(uow.session)
            if not await records.is_person(institution_id, student_id):
                raise NotFoundError("Student not found.")
            data = await records.student_record(institution_id, student_id)
            packed: list[PackedFile] = []
            kept = await files_of_student(uow.session, institution_id, student_id)
            kept = [f for f in kept if f.category != Category.RECORD_PACKAGE]
            # The files the package's messages carry (not those of retracted ones: retracting
            # a message took its files away from everyone).
            carried = [
                uuid.UUID(str(a["file_id"]))
                for m in data.get("messages", [])
                if not m.get("retracted_at")
                for a in (m.get("attachments") or [])
            ]
            about = {f.id for f in kept}
            kept += [
                f
                for f in await files_by_ids(uow.session, institution_id, carried)
                if f.id not in about
            ]
            data["files"] = [
                {
                    "id": f.id,
                    "category": f.category,
                    "record_type": f.record_type,
                    "record_id": f.record_id,
                    "filename": f.filename,
                    "content_type": f.content_type,
                    "size_bytes": f.size_bytes,
                    "sha256": f.sha256,
                    "created_by": f.created_by,
                    "created_at": f.created_at,
                }
                for f in kept
            ]
            for f in kept:
                content = await self.storage.get(f.storage_key)
                if sha256_hex(content) != f.sha256:
                    raise RuntimeError(f"stored file {f.id} does not match its checksum")
                packed.append(
                    PackedFile(
                        f"files/{f.category.value}/{f.id}-{clean_filename(f.filename)}",
                        f.category.value,
                        content,
                        f.sha256,
                    )
                )
            card = await report_card_pdf(records, institution_id, student_id, self.clock)
            packed.append(
                PackedFile("documents/report-card.pdf", "report_card", card, sha256_hex(card))
            )
            now = self.clock.now()
            day = (await records.school_time(institution_id, now)).date()
            package = build_zip(
                student_id=student_id,
                produced_at=now,
                produced_by=principal.person_id,
                records=data,
                files=packed,
            )
            stored = await keep_student_document(
                uow,
                self.storage,
                written,
                institution_id=institution_id,
                student_id=student_id,
                category=Category.RECORD_PACKAGE,
                filename=f"record-package-{day.isoformat()}.zip",
                data=package,
                by=principal.person_id,
                now=now,
                content_type="application/zip",
            )
        log.info(
            "record_package_produced",
            institution_id=str(institution_id),
            student_id=str(student_id),
            produced_by=str(principal.person_id),
            file_id=str(stored.id),
        )
        return stored
