"""Routes: import a OneRoster 1.2 CSV package (a zip) in the background and follow it;
export the roster as one."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel

from edtech.identity.public import CurrentPrincipalDep
from edtech.kernel.errors import ForbiddenError, NotFoundError
from edtech.oneroster.application.import_package import MAX_PACKAGE_BYTES
from edtech.oneroster.application.start_import import StartImport
from edtech.oneroster.channels import IMPORT
from edtech.oneroster.infrastructure.export import export_zip
from edtech.oneroster.infrastructure.files import PackageTooLargeError, read_zip
from edtech.oneroster.infrastructure.imports import import_of
from edtech.platform.http.deps import ClockDep, ReadSessionDep, use_case
from edtech.platform.http.problems import problem
from edtech.platform.jobs import jobs_port

router = APIRouter(prefix="/api/v1/roster", tags=["roster sync"])

StartImportDep = Annotated[StartImport, Depends(use_case(StartImport, jobs_port))]

ZIP_BODY: dict[str, Any] = {
    "required": True,
    "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
}


class ImportOut(BaseModel):
    """A roster import. `state` is `queued`, `running`, `succeeded` or `failed`; `progress`
    says how far it got (`phase` queued, started, applying with `file` and `done` of
    `total` files, finished); a succeeded import has its `report` (created, changed, ended,
    unchanged per entity; warnings), a failed one its `problem` (`detail` and `errors` with
    `loc` = file, line, column), which changed nothing. `job` is the background job's own
    state (attempts, last error)."""

    id: uuid.UUID
    state: str
    dry_run: bool
    lenient: bool
    progress: dict[str, Any]
    report: dict[str, Any] | None
    problem: dict[str, Any] | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    channel: str
    job: dict[str, Any] | None

    @classmethod
    def of(cls, row: Any) -> ImportOut:
        state, problem = row.state, row.problem
        if row.job_state == "failed" and state in ("queued", "running"):
            # The job gave up (its last attempt crashed): the import will not finish.
            state = "failed"
            problem = {"code": "job_failed", "detail": row.job_error or "the job failed"}
        return cls(
            id=row.id,
            state=state,
            dry_run=row.dry_run,
            lenient=row.lenient,
            progress=row.progress,
            report=row.report,
            problem=problem,
            created_at=row.created_at,
            started_at=row.started_at,
            finished_at=row.finished_at,
            channel=IMPORT.name(id=row.id),
            job=None
            if row.job_state is None
            else {"state": row.job_state, "attempts": row.job_attempts, "error": row.job_error},
        )


@router.post(
    "/imports",
    summary="Import a OneRoster 1.2 CSV package (in the background)",
    description=StartImport.__doc__,
    status_code=202,
    openapi_extra={"requestBody": ZIP_BODY},
    responses={
        202: {"description": "Queued; follow it at `Location` or on its `channel`."},
        413: {"description": "The package is over the size limit."},
        422: {"description": "Not a zip, or a zip that could harm the node (paths, bombs)."},
    },
)
async def import_package(
    request: Request,
    response: Response,
    principal: CurrentPrincipalDep,
    start: StartImportDep,
    session: ReadSessionDep,
    dry_run: Annotated[
        bool, Query(description="Report what would change; change nothing.")
    ] = False,
    lenient: Annotated[
        bool, Query(description="Accept named vendor quirks (e.g. `Active`), each as a warning.")
    ] = False,
) -> ImportOut:
    if not principal.is_institution_admin:
        raise ForbiddenError("only an institution admin imports rosters")
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_PACKAGE_BYTES:
        return _too_large(request)  # type: ignore[return-value]
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_PACKAGE_BYTES:
            return _too_large(request)  # type: ignore[return-value]
    data = bytes(body)
    try:
        read_zip(data, MAX_PACKAGE_BYTES)  # refuse what could harm the node before keeping it
    except PackageTooLargeError:
        return _too_large(request)  # type: ignore[return-value]
    import_id = await start(principal, data, dry_run=dry_run, lenient=lenient)
    row = await import_of(session, principal.institution_id, import_id)
    assert row is not None
    response.headers["Location"] = f"/api/v1/roster/imports/{import_id}"
    return ImportOut.of(row)


@router.get(
    "/imports/{import_id}",
    summary="A roster import's progress and outcome",
    responses={404: {"description": "No such import in your institution."}},
)
async def get_import(
    import_id: uuid.UUID, principal: CurrentPrincipalDep, session: ReadSessionDep
) -> ImportOut:
    """Where a background import stands, and its report or problems once it ended. Only
    institution admins read imports, and only their institution's."""
    if not principal.is_institution_admin:
        raise ForbiddenError("only an institution admin reads roster imports")
    row = await import_of(session, principal.institution_id, import_id)
    if row is None:
        raise NotFoundError("no such import")
    return ImportOut.of(row)


def _too_large(request: Request) -> Response:
    return problem(
        413,
        f"the package is over {MAX_PACKAGE_BYTES} bytes",
        code="too_large",
        instance=request.url.path,
    )


@router.get(
    "/export",
    summary="Export the roster as a OneRoster 1.2 CSV package",
    response_class=Response,
    responses={200: {"content": {"application/zip": {}}, "description": "The package (bulk)."}},
)
async def export(
    principal: CurrentPrincipalDep, session: ReadSessionDep, clock: ClockDep
) -> Response:
    """The institution's current roster, every file in bulk mode; importing it back changes
    nothing. Only institution admins export."""
    if not principal.is_institution_admin:
        raise ForbiddenError("only an institution admin exports rosters")
    data = await export_zip(session, principal.institution_id, clock.now())
    return Response(
        data,
        media_type="application/zip",
        headers={"Content-Disposition": 'attachment; filename="oneroster.zip"'},
    )
