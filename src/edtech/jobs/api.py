"""The admin view of background jobs: what is queued, running, done or dead, and a retry.

Jobs are platform-wide, but no platform operator role exists yet: a job that carries an
institution is shown to that institution's administrators; a job that carries none (the
scheduled sweeps) is shown to nobody over HTTP — its failures are in the logs — because its
error text may name any tenant's data.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from edtech.identity.public import CurrentPrincipalDep
from edtech.jobs.infrastructure import is_institutions_job, job_row, jobs_query
from edtech.kernel.errors import ConflictError, ForbiddenError, NotFoundError
from edtech.kernel.principal import Principal
from edtech.platform.http.deps import ReadSessionDep, ServicesDep
from edtech.platform.http.pagination import Page, PageParamsDep, paginate
from edtech.platform.jobs import retry_failed

router = APIRouter(prefix="/api/v1/jobs", tags=["jobs"])

ANSWERS: dict[int | str, dict[str, Any]] = {
    403: {"description": "Not an administrator of the institution."},
}
ONE_ANSWERS: dict[int | str, dict[str, Any]] = {
    **ANSWERS,
    404: {"description": "No such job, or not one of your institution's."},
    409: {"description": "The job is not failed, or a newer run of it is already queued."},
}


class JobStateIn(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class JobOut(BaseModel):
    """One background job; `last_error` is the latest failed attempt's error."""

    id: uuid.UUID
    name: str
    args: dict[str, Any]
    state: JobStateIn
    attempts: int
    max_attempts: int
    run_at: datetime
    institution_id: uuid.UUID | None
    node: str | None
    last_error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @classmethod
    def of(cls, row: Any) -> JobOut:
        return cls.model_validate(row._mapping, from_attributes=False)


def _require_admin(principal: Principal) -> None:
    if not principal.is_institution_admin:
        raise ForbiddenError("only institution administrators see background jobs")


@router.get("", responses=ANSWERS)
async def list_jobs(
    request: Request,
    principal: CurrentPrincipalDep,
    session: ReadSessionDep,
    page: PageParamsDep,
    state: Annotated[JobStateIn | None, Query(description="Only jobs in this state.")] = None,
) -> Page[JobOut]:
    """Institution administrators: their institution's jobs, newest run time first, with the
    error of failed ones (`state=failed` is the dead-letter list)."""
    _require_admin(principal)
    stmt = jobs_query(principal.institution_id, None if state is None else state.value)
    return await paginate(session, stmt, page, request, JobOut.of)


@router.post("/{job_id}/retry", responses=ONE_ANSWERS)
async def retry_job(
    job_id: uuid.UUID, principal: CurrentPrincipalDep, services: ServicesDep
) -> JobOut:
    """Queue a failed (dead) job again, for now, with a fresh set of attempts."""
    _require_admin(principal)
    async with services.session_factory() as session:
        if not await is_institutions_job(session, principal.institution_id, job_id):
            raise NotFoundError("no such job")
        if not await retry_failed(session, job_id, services.clock.now()):
            raise ConflictError("only a failed job can be retried, and only once at a time")
        await session.commit()
        row = await job_row(session, job_id)
    return JobOut.of(row)
