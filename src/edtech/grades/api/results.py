"""Routes for entering results, publishing, and reading publications and the audit history."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request, status
from fastapi.responses import JSONResponse

from edtech.grades.api.deps import ReaderDep, roster
from edtech.grades.api.schemas import (
    BatchIn,
    BatchItemOut,
    BatchOut,
    ChangeOut,
    PublicationOut,
    PublishIn,
    ResultIn,
    ResultOut,
    Value,
)
from edtech.grades.application import (
    EnterResults,
    PublishAssessment,
    PublishRequest,
    ResultEntry,
    ResultsEntered,
)
from edtech.grades.domain import Publication
from edtech.grades.infrastructure.queries import history_query, publications_query
from edtech.grades.infrastructure.repositories import SqlAlchemyAssessments
from edtech.identity.public import CurrentPrincipalDep
from edtech.kernel.errors import FieldProblem, InvalidError, NotFoundError
from edtech.platform.http.deps import ServicesDep, use_case
from edtech.platform.http.pagination import Page, PageParamsDep, paginate
from edtech.platform.idempotency import Claim, Scope, request_hash, run_once

router = APIRouter(prefix="/api/v1", tags=["grades"])


def _entry_text(value: Value) -> str | None:
    return None if value is None else str(value)


def _batch_out(done: ResultsEntered) -> BatchOut:
    return BatchOut(
        items=[
            BatchItemOut(index=i, changed=changed, result=ResultOut.of(result))
            for i, (result, changed) in enumerate(zip(done.results, done.changed, strict=True))
        ],
        publications=[PublicationOut.of(p) for p in done.publications],
    )


@router.post(
    "/sections/{section_id}/results/batch",
    response_model=BatchOut,
    summary="Enter many results at once (all or nothing)",
    description=EnterResults.__doc__,
    responses={
        409: {"description": "Some items are stale; `errors` lists them by index."},
        422: {"description": "Some items are invalid; `errors` lists them by index and field."},
    },
)
async def enter_batch(
    section_id: uuid.UUID,
    body: BatchIn,
    principal: CurrentPrincipalDep,
    enter: Annotated[EnterResults, Depends(use_case(EnterResults, roster))],
) -> BatchOut:
    entries = [
        ResultEntry(
            assessment_id=item.assessment_id,
            student_id=item.student_id,
            value=_entry_text(item.value),
            comment=item.comment,
            flags=frozenset(item.flags),
            expected_version=item.version,
        )
        for item in body.items
    ]
    return _batch_out(await enter(principal, section_id, entries, body.reason))


@router.put(
    "/assessments/{assessment_id}/results/{student_id}",
    response_model=BatchItemOut,
    summary="Enter one result",
    description=EnterResults.__doc__,
)
async def enter_one(
    assessment_id: uuid.UUID,
    student_id: uuid.UUID,
    body: ResultIn,
    principal: CurrentPrincipalDep,
    reader: ReaderDep,
    enter: Annotated[EnterResults, Depends(use_case(EnterResults, roster))],
) -> BatchItemOut:
    found = await SqlAlchemyAssessments(reader.session).get(principal.institution_id, assessment_id)
    if found is None:
        raise NotFoundError("assessment not found")
    entry = ResultEntry(
        assessment_id=assessment_id,
        student_id=student_id,
        value=_entry_text(body.value),
        comment=body.comment,
        flags=frozenset(body.flags),
        expected_version=body.version,
    )
    try:
        done = await enter(principal, found.section_id, [entry], body.reason)
    except InvalidError as exc:
        # One cell: name the fields themselves, not "items.0.…".
        problems = [
            FieldProblem(p.loc[2:] if p.loc[:2] == ("items", 0) else p.loc, p.message, p.type)
            for p in exc.problems
        ]
        raise InvalidError("invalid result; nothing was saved", problems) from None
    return _batch_out(done).items[0]


IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=255,
        description="Retries with the same key publish once and get the first response.",
    ),
]


@router.post(
    "/assessments/{assessment_id}/publications",
    status_code=status.HTTP_201_CREATED,
    response_model=PublicationOut,
    summary="Publish an assessment",
    description=PublishAssessment.__doc__,
)
async def publish(
    assessment_id: uuid.UUID,
    body: PublishIn,
    principal: CurrentPrincipalDep,
    services: ServicesDep,
    use: Annotated[PublishAssessment, Depends(use_case(PublishAssessment, roster))],
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    wanted = PublishRequest(body.scope, body.student_ids, body.reason)

    def render(p: Publication) -> tuple[int, object]:
        return status.HTTP_201_CREATED, PublicationOut.of(p).model_dump(mode="json")

    if idempotency_key is None:
        code, data = render(await use(principal, assessment_id, wanted))
        return JSONResponse(data, status_code=code)

    async def action(claim: Claim) -> None:
        await use(
            principal,
            assessment_id,
            wanted,
            idempotency_key=idempotency_key,
            before_commit=claim.completer(render),
        )

    stored = await run_once(
        services.session_factory,
        Scope(
            principal.institution_id,
            principal.person_id,
            "POST /api/v1/assessments/{assessment_id}/publications",
            idempotency_key,
        ),
        request_hash("POST", request.url.path, body.model_dump(mode="json")),
        services.clock.now(),
        action,
    )
    return JSONResponse(stored.body, status_code=stored.status)


@router.get(
    "/assessments/{assessment_id}/publications",
    response_model=Page[PublicationOut],
    summary="An assessment's publications, newest first, each with what changed",
)
async def list_publications(
    assessment_id: uuid.UUID,
    principal: CurrentPrincipalDep,
    reader: ReaderDep,
    params: PageParamsDep,
    request: Request,
) -> Page[PublicationOut]:
    found = await SqlAlchemyAssessments(reader.session).get(principal.institution_id, assessment_id)
    if found is None:
        raise NotFoundError("assessment not found")
    await reader.manager(principal, found.section_id)
    stmt = publications_query(principal.institution_id, assessment_id)
    return await paginate(reader.session, stmt, params, request, lambda r: PublicationOut.of(r[0]))


@router.get(
    "/assessments/{assessment_id}/history",
    response_model=Page[ChangeOut],
    summary="Every change of the assessment's results (teachers and admins)",
    description="Actor, before and after, and the reason given after publication or lock.",
)
async def history(
    assessment_id: uuid.UUID,
    principal: CurrentPrincipalDep,
    reader: ReaderDep,
    params: PageParamsDep,
    request: Request,
    student_id: Annotated[uuid.UUID | None, Query()] = None,
) -> Page[ChangeOut]:
    found = await SqlAlchemyAssessments(reader.session).get(principal.institution_id, assessment_id)
    if found is None:
        raise NotFoundError("assessment not found")
    await reader.manager(principal, found.section_id)
    stmt = history_query(principal.institution_id, assessment_id, student_id)
    return await paginate(reader.session, stmt, params, request, ChangeOut.model_validate)
