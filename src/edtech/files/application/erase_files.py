"""Use case: erase a person's files, leaving an audit record of what went and what stayed."""

from __future__ import annotations

import uuid

from edtech.files.application.common import delete_objects
from edtech.files.application.ports import ObjectStorage, RecordsFactory
from edtech.files.domain import READ_RULES, Category
from edtech.files.domain.erasure import FileErasure, plan_erasure
from edtech.files.infrastructure.repository import SqlAlchemyFiles, files_of_student
from edtech.kernel.clock import Clock
from edtech.kernel.errors import NotFoundError
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork
from edtech.platform.observability.logging import get_logger
from edtech.platform.storage import require_storage

log = get_logger("edtech.files")


class EraseFiles:
    """An institution administrator erases the files of a person (one who left): files about
    them are deleted unless the law makes the school keep them — receipts, financial records,
    stay, and the answer says why; files they made about someone else stay with that person,
    no longer naming them. The erasure is recorded (who, when, which files went or stayed and
    why — no names, no content) and logged. Anyone else is told the person does not exist."""

    def __init__(
        self, uow: UnitOfWork, clock: Clock, storage: ObjectStorage, records: RecordsFactory
    ) -> None:
        self.uow, self.clock, self.storage, self.records = uow, clock, storage, records

    async def __call__(self, principal: Principal, person_id: uuid.UUID) -> FileErasure:
        require_storage(self.storage)
        institution_id = principal.institution_id
        if not principal.roles & READ_RULES[Category.RECORD_PACKAGE].staff:
            raise NotFoundError("Person not found.")
        async with self.uow as uow:
            if not await self.records(uow.session).is_person(institution_id, person_id):
                raise NotFoundError("Person not found.")
            files = SqlAlchemyFiles(uow.session)
            plan = plan_erasure(
                person_id,
                await files_of_student(uow.session, institution_id, person_id),
                await files.made_by(institution_id, person_id),
            )
            keys = [k for f in plan.delete for k in f.object_keys]
            await files.remove(plan.delete)
            for f in plan.anonymise:
                f.created_by = None
            erasure = FileErasure.of(
                plan,
                id=new_id(),
                institution_id=institution_id,
                person_id=person_id,
                erased_by=principal.person_id,
                erased_at=self.clock.now(),
            )
            uow.session.add(erasure)
            await uow.commit()
        # Rows first, bytes second: a row never points at nothing.
        await delete_objects(self.storage, keys)
        log.info(
            "files_erased",
            institution_id=str(institution_id),
            person_id=str(person_id),
            erased_by=str(principal.person_id),
            deleted=len(erasure.deleted),
            kept=len(erasure.kept),
            anonymised=len(erasure.anonymised),
        )
        return erasure
