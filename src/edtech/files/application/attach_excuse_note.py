"""Use case: a guardian (or the office) attaches evidence to an absence note."""

from __future__ import annotations

import uuid

from edtech.files.application.common import store
from edtech.files.application.ports import FileLimits, ObjectStorage, RecordsFactory
from edtech.files.domain import READ_RULES, Category, StoredFile, check_upload, may_read
from edtech.files.infrastructure.repository import SqlAlchemyFiles
from edtech.kernel.clock import Clock
from edtech.kernel.errors import ConflictError, NotFoundError
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork
from edtech.platform.storage import require_storage


class AttachExcuseNote:
    """The guardian who wrote a pending absence note (still allowed to see the child's
    attendance), or the attendance office, attaches a file to it: a PDF or an image, judged
    from its bytes, under the size limit and the institution's quota. Anyone else is told the
    note does not exist. A decided note is closed: its files stay, none is added."""

    def __init__(
        self,
        uow: UnitOfWork,
        clock: Clock,
        storage: ObjectStorage,
        limits: FileLimits,
        records: RecordsFactory,
    ) -> None:
        self.uow, self.clock = uow, clock
        self.storage, self.limits, self.records = storage, limits, records

    async def __call__(
        self, principal: Principal, excuse_id: uuid.UUID, filename: str, data: bytes
    ) -> StoredFile:
        require_storage(self.storage)
        name, kind = check_upload(filename, data, self.limits.max_bytes)
        async with self.uow as uow:
            records = self.records(uow.session)
            excuse = await records.excuse(principal.institution_id, excuse_id)
            if excuse is None:
                raise NotFoundError("Absence note not found.")
            rights = await records.guardian_rights(principal)
            subjects = frozenset({excuse.student_id})
            readable = may_read(principal, Category.EXCUSE_NOTE, subjects, rights)
            office = bool(principal.roles & READ_RULES[Category.EXCUSE_NOTE].staff)
            if not readable or not (office or principal.person_id == excuse.submitted_by):
                raise NotFoundError("Absence note not found.")
            if excuse.state != "pending":
                raise ConflictError("This note has been decided: no file can be added.")
            stored = await store(
                SqlAlchemyFiles(uow.session),
                self.storage,
                institution_id=principal.institution_id,
                category=Category.EXCUSE_NOTE,
                record=("excuse", excuse_id),
                filename=name,
                content_type=kind,
                data=data,
                subjects=subjects,
                by=principal.person_id,
                now=self.clock.now(),
                quota_bytes=self.limits.quota_bytes,
            )
            await uow.commit()
        return stored
