"""Routes: import a OneRoster 1.2 CSV package (a zip), export the roster as one."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from edtech.identity.public import CurrentPrincipalDep
from edtech.kernel.errors import ForbiddenError
from edtech.oneroster.application.import_package import ImportPackage
from edtech.oneroster.infrastructure.export import export_zip
from edtech.oneroster.infrastructure.files import PackageTooLargeError, read_zip
from edtech.platform.http.deps import ClockDep, ReadSessionDep, use_case
from edtech.platform.http.problems import problem

router = APIRouter(prefix="/api/v1/roster", tags=["roster sync"])

MAX_PACKAGE_BYTES = 200 * 1024 * 1024
"""An upload (or a file inside it) over this size is refused with 413."""

ImportPackageDep = Annotated[ImportPackage, Depends(use_case(ImportPackage))]

ZIP_BODY: dict[str, Any] = {
    "required": True,
    "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
}


@router.post(
    "/imports",
    summary="Import a OneRoster 1.2 CSV package",
    description=ImportPackage.__doc__,
    openapi_extra={"requestBody": ZIP_BODY},
    responses={
        413: {"description": "The package is over the size limit."},
        422: {"description": "The package breaks the binding; `errors` lists file, line, column."},
    },
)
async def import_package(
    request: Request,
    principal: CurrentPrincipalDep,
    run: ImportPackageDep,
    dry_run: Annotated[
        bool, Query(description="Report what would change; change nothing.")
    ] = False,
    lenient: Annotated[
        bool, Query(description="Accept named vendor quirks (e.g. `Active`), each as a warning.")
    ] = False,
) -> dict[str, Any]:
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
    try:
        texts = read_zip(bytes(body), MAX_PACKAGE_BYTES)
    except PackageTooLargeError:
        return _too_large(request)  # type: ignore[return-value]
    report = await run(principal, texts, dry_run=dry_run, lenient=lenient)
    return report.as_data()


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
