"""The OneRoster 1.2 gradebook service: line items and results of a class, read, created or
replaced with PUT by sourcedId, and deleted — mapped onto the section's gradebook."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from edtech.institutions.public import school_clock
from edtech.kernel.errors import NotFoundError
from edtech.oneroster.api.auth import ImsRoute, requires
from edtech.oneroster.application.delete_result import DeleteResult
from edtech.oneroster.application.put_category import PutCategory
from edtech.oneroster.application.put_line_item import LineItemPut, PutLineItem
from edtech.oneroster.application.put_result import PutResult, ResultPut
from edtech.oneroster.domain.scopes import GRADEBOOK_DELETE, GRADEBOOK_READ, GRADEBOOK_WRITE
from edtech.oneroster.infrastructure.clients import Integration
from edtech.oneroster.infrastructure.gradebook_reads import GRADEBOOK, GradebookReads
from edtech.platform.http.deps import ClockDep, ReadSessionDep, use_case

router = APIRouter(prefix=GRADEBOOK, tags=["oneroster gradebook"], route_class=ImsRoute)

ReaderDep = Annotated[Integration, Depends(requires(GRADEBOOK_READ))]
WriterDep = Annotated[Integration, Depends(requires(GRADEBOOK_WRITE))]
DeleterDep = Annotated[Integration, Depends(requires(GRADEBOOK_DELETE))]
Id = Annotated[str, Path(min_length=1, max_length=255)]
OBJECT: dict[str, Any] = {"type": "object", "additionalProperties": True}


class RefIn(BaseModel):
    """A reference: `{"sourcedId": ..., "type": ..., "href": ...}`."""

    model_config = ConfigDict(extra="ignore")
    sourcedId: str = Field(min_length=1, max_length=255)
    type: str | None = Field(default=None, max_length=64)
    href: str | None = Field(default=None, max_length=1000)


class LineItemIn(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)
    title: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    class_: RefIn = Field(alias="class")
    category: RefIn | None = None
    gradingPeriod: RefIn | None = None
    resultValueMin: Decimal | None = Field(default=None, ge=0, le=100_000)
    resultValueMax: Decimal = Field(gt=0, le=100_000, decimal_places=4)
    dueDate: datetime | None = None
    assignDate: datetime | None = None


class LineItemBody(BaseModel):
    lineItem: LineItemIn


class ResultIn(BaseModel):
    model_config = ConfigDict(extra="allow")
    lineItem: RefIn
    student: RefIn
    score: Decimal | None = Field(default=None, ge=0, le=1_000_000, decimal_places=4)
    scoreStatus: Literal["exempt", "fully graded", "not submitted", "partially graded", "submitted"]
    scoreDate: datetime | None = None
    comment: str | None = Field(default=None, max_length=2000)


class ResultBody(BaseModel):
    result: ResultIn


def _json(body: BaseModel) -> dict[str, Any]:
    data: dict[str, Any] = body.model_dump(mode="json", by_alias=True, exclude_none=True)
    return data


def _ok(envelope: str, obj: dict[str, Any] | None, status: int = 200) -> JSONResponse:
    if obj is None:
        raise NotFoundError(f"{envelope} not found")
    return JSONResponse({envelope: obj}, status_code=status)


def _doc(envelope: str, *extra: int) -> dict[int | str, dict[str, Any]]:
    out: dict[int | str, dict[str, Any]] = {
        200: {
            "description": f'`{{"{envelope}": ...}}`',
            "content": {"application/json": {"schema": OBJECT}},
        },
        401: {"description": "No valid bearer token."},
        403: {"description": "The token lacks the scope this needs."},
    }
    for status in extra:
        out[status] = {"description": {201: "Created.", 404: "Unknown here."}.get(status, "")}
    return out


async def _reads(session: Any, client: Integration, clock: Any) -> GradebookReads:
    # The grading periods and enrollments it reads are judged on the school's day, not UTC's.
    today = (await school_clock(session, clock, client.institution_id)).today()
    return await GradebookReads(session, client.institution_id, clock.now(), today).load()


async def _written(
    envelope: str, id: str, created: bool, session: Any, client: Integration, clock: Any
) -> JSONResponse:
    """The answer to a PUT: the object as now stored, 201 if the PUT created it, else 200."""
    reads = await _reads(session, client, clock)
    if envelope == "category":
        return _ok(envelope, reads.category(id), 201 if created else 200)
    obj = await (reads.line_item(id) if envelope == "lineItem" else reads.result(id))
    return _ok(envelope, obj, 201 if created else 200)


class CategoryIn(BaseModel):
    model_config = ConfigDict(extra="allow")
    title: str = Field(min_length=1, max_length=100)
    weight: Decimal | None = Field(default=None, ge=0, le=100_000)


class CategoryBody(BaseModel):
    category: CategoryIn


@router.get(
    "/categories",
    summary="Gradebook categories",
    responses=_doc("categories"),
    response_class=JSONResponse,
)
async def list_categories(
    client: ReaderDep, session: ReadSessionDep, clock: ClockDep
) -> JSONResponse:
    found = (await _reads(session, client, clock)).categories()
    return JSONResponse({"categories": found}, headers={"X-Total-Count": str(len(found))})


@router.get(
    "/categories/{id}",
    summary="One gradebook category",
    responses=_doc("category", 404),
    response_class=JSONResponse,
)
async def get_category(
    id: Id, client: ReaderDep, session: ReadSessionDep, clock: ClockDep
) -> JSONResponse:
    return _ok("category", (await _reads(session, client, clock)).category(id))


@router.put(
    "/categories/{id}",
    summary="Create or replace a gradebook category",
    description=PutCategory.__doc__,
    responses=_doc("category", 201),
    response_class=JSONResponse,
)
async def put_category(
    id: Id,
    body: CategoryBody,
    client: WriterDep,
    put: Annotated[PutCategory, Depends(use_case(PutCategory))],
    session: ReadSessionDep,
    clock: ClockDep,
) -> JSONResponse:
    created = await put(client, id, _json(body.category))
    return await _written("category", id, created, session, client, clock)


@router.get(
    "/classes/{id}/lineItems",
    summary="Line items of a class",
    responses=_doc("lineItems"),
    response_class=JSONResponse,
)
async def class_line_items(
    id: Id, client: ReaderDep, session: ReadSessionDep, clock: ClockDep
) -> JSONResponse:
    reads = await _reads(session, client, clock)
    items = [await reads.line_item(s) for s in reads.line_items_of_class(id)]
    return JSONResponse(
        {"lineItems": [i for i in items if i]}, headers={"X-Total-Count": str(len(items))}
    )


@router.get(
    "/lineItems/{id}",
    summary="One line item",
    responses=_doc("lineItem", 404),
    response_class=JSONResponse,
)
async def get_line_item(
    id: Id, client: ReaderDep, session: ReadSessionDep, clock: ClockDep
) -> JSONResponse:
    return _ok("lineItem", await (await _reads(session, client, clock)).line_item(id))


@router.put(
    "/lineItems/{id}",
    summary="Create or replace a line item",
    description=PutLineItem.__doc__,
    responses=_doc("lineItem", 201, 404),
    response_class=JSONResponse,
)
async def put_line_item(
    id: Id,
    body: LineItemBody,
    client: WriterDep,
    put: Annotated[PutLineItem, Depends(use_case(PutLineItem))],
    session: ReadSessionDep,
    clock: ClockDep,
) -> JSONResponse:
    item = body.lineItem
    command = LineItemPut(
        title=item.title,
        class_sourced_id=item.class_.sourcedId,
        result_value_max=item.resultValueMax,
        due_at=item.dueDate,
        category=item.category.sourcedId if item.category else None,
        grading_period_sourced_id=item.gradingPeriod.sourcedId if item.gradingPeriod else None,
        record=_json(item),
    )
    created = await put(client, id, command)
    return await _written("lineItem", id, created, session, client, clock)


@router.get(
    "/lineItems/{id}/results",
    summary="Results of a line item",
    responses=_doc("results"),
    response_class=JSONResponse,
)
async def line_item_results(
    id: Id, client: ReaderDep, session: ReadSessionDep, clock: ClockDep
) -> JSONResponse:
    reads = await _reads(session, client, clock)
    found = [await reads.result(s) for s in reads.results_of_line_item(id)]
    return JSONResponse({"results": [r for r in found if r]})


@router.get(
    "/results/{id}",
    summary="One result",
    responses=_doc("result", 404),
    response_class=JSONResponse,
)
async def get_result(
    id: Id, client: ReaderDep, session: ReadSessionDep, clock: ClockDep
) -> JSONResponse:
    return _ok("result", await (await _reads(session, client, clock)).result(id))


@router.put(
    "/results/{id}",
    summary="Create or replace a result",
    description=PutResult.__doc__,
    responses=_doc("result", 201, 404),
    response_class=JSONResponse,
)
async def put_result(
    id: Id,
    body: ResultBody,
    client: WriterDep,
    put: Annotated[PutResult, Depends(use_case(PutResult))],
    session: ReadSessionDep,
    clock: ClockDep,
) -> JSONResponse:
    r = body.result
    command = ResultPut(
        line_item_sourced_id=r.lineItem.sourcedId,
        student_sourced_id=r.student.sourcedId,
        score=r.score,
        score_status=r.scoreStatus,
        comment=r.comment,
        record=_json(r),
    )
    created = await put(client, id, command)
    return await _written("result", id, created, session, client, clock)


@router.delete(
    "/results/{id}",
    status_code=204,
    summary="Delete a result",
    description=DeleteResult.__doc__,
    responses={
        401: {"description": "No valid bearer token."},
        403: {"description": "The token lacks gradebook.delete."},
        404: {"description": "Unknown here."},
    },
    response_class=Response,
)
async def delete_result(
    id: Id, client: DeleterDep, delete: Annotated[DeleteResult, Depends(use_case(DeleteResult))]
) -> Response:
    await delete(client, id)
    return Response(status_code=204)
