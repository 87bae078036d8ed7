"""Use case: an institution admin uploads a OneRoster package; it is imported in the
background (the `oneroster.import` job)."""

from __future__ import annotations

import uuid

from edtech.kernel.clock import Clock
from edtech.kernel.errors import ForbiddenError
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Principal
from edtech.oneroster.infrastructure.imports import add_import
from edtech.platform.db.uow import UnitOfWork
from edtech.platform.jobs import JobsFactory

IMPORT_JOB = "oneroster.import"


class StartImport:
    """The upload is kept and queued, and the answer comes at once: the import itself — the
    whole package checked first (columns, enumerations, dates, references between files,
    duplicates; any problem changes nothing and the outcome lists each by file, line and
    column), then applied in one transaction, matched by `sourcedId` within this institution
    only — runs as a background job. Its progress and outcome are readable at the import's
    URL and pushed to the channel `oneroster.import.{id}`. Re-importing the same package
    changes nothing; a delta applies only its rows (`tobedeleted` ends a record, dated today
    at the school); a bulk file ends the records of its entity it no longer lists. A dry run
    reports what would be created, changed and ended, and changes nothing. Only institution
    admins import."""

    def __init__(self, uow: UnitOfWork, clock: Clock, jobs: JobsFactory) -> None:
        self.uow, self.clock, self.jobs = uow, clock, jobs

    async def __call__(
        self, principal: Principal, package: bytes, *, dry_run: bool, lenient: bool
    ) -> uuid.UUID:
        if not principal.is_institution_admin:
            raise ForbiddenError("only an institution admin imports rosters")
        import_id = new_id()
        async with self.uow:
            session = self.uow.session
            job_id = await self.jobs(session).defer(
                IMPORT_JOB,
                {"import_id": str(import_id)},
                institution_id=principal.institution_id,
            )
            await add_import(
                session,
                id=import_id,
                institution_id=principal.institution_id,
                requested_by=principal.person_id,
                job_id=job_id,
                state="queued",
                dry_run=dry_run,
                lenient=lenient,
                package=package,
                progress={"phase": "queued", "file": None, "done": 0, "total": 0},
                created_at=self.clock.now(),
            )
            await self.uow.commit()
        return import_id
