"""Routes for grading schemes, a section's gradebook settings and its assessments."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status

from edtech.grades.api.deps import ReaderDep, roster
from edtech.grades.api.schemas import (
    AssessmentIn,
    AssessmentOut,
    AssessmentPatchIn,
    GradebookIn,
    GradebookOut,
    SchemeIn,
    SchemeOut,
)
from edtech.grades.application import (
    AssessmentDraft,
    AssessmentPatch,
    CategoryEntry,
    ConfigureGradebook,
    CreateAssessment,
    CreateScheme,
    GradebookSetup,
    SchemeDraft,
    UpdateAssessment,
)
from edtech.grades.domain import LetterBand, SchemeKind
from edtech.grades.infrastructure.loading import assessments_query
from edtech.grades.infrastructure.queries import schemes_query
from edtech.grades.infrastructure.repositories import (
    SqlAlchemyAssessments,
    SqlAlchemyGradebooks,
    SqlAlchemySchemes,
)
from edtech.identity.public import CurrentPrincipalDep
from edtech.kernel.errors import NotFoundError
from edtech.platform.http.deps import use_case
from edtech.platform.http.pagination import Page, PageParamsDep, paginate

router = APIRouter(prefix="/api/v1", tags=["grades"])


@router.post(
    "/grade-schemes",
    status_code=status.HTTP_201_CREATED,
    response_model=SchemeOut,
    summary="Define a grading scheme",
    description=CreateScheme.__doc__,
)
async def create_scheme(
    body: SchemeIn,
    principal: CurrentPrincipalDep,
    create: Annotated[CreateScheme, Depends(use_case(CreateScheme))],
) -> SchemeOut:
    bands = tuple(LetterBand(b.letter.strip(), b.min_percent, b.value_percent) for b in body.bands)
    scheme = await create(principal, SchemeDraft(body.name, body.kind, bands, body.pass_percent))
    return SchemeOut.of(scheme)


@router.get("/grade-schemes", response_model=Page[SchemeOut], summary="The institution's schemes")
async def list_schemes(
    principal: CurrentPrincipalDep,
    reader: ReaderDep,
    params: PageParamsDep,
    request: Request,
    kind: SchemeKind | None = None,
) -> Page[SchemeOut]:
    stmt = schemes_query(principal.institution_id, kind.value if kind else None)
    return await paginate(reader.session, stmt, params, request, lambda r: SchemeOut.of(r[0]))


@router.get("/grade-schemes/{scheme_id}", response_model=SchemeOut, summary="One scheme")
async def get_scheme(
    scheme_id: uuid.UUID, principal: CurrentPrincipalDep, reader: ReaderDep
) -> SchemeOut:
    scheme = await SqlAlchemySchemes(reader.session).get(principal.institution_id, scheme_id)
    if scheme is None:
        raise NotFoundError("grading scheme not found")
    return SchemeOut.of(scheme)


@router.get(
    "/sections/{section_id}/gradebook",
    response_model=GradebookOut,
    summary="A section's gradebook settings and categories (teachers and admins)",
)
async def get_gradebook(
    section_id: uuid.UUID, principal: CurrentPrincipalDep, reader: ReaderDep
) -> GradebookOut:
    await reader.manager(principal, section_id)
    book = await SqlAlchemyGradebooks(reader.session).get(principal.institution_id, section_id)
    if book is None:
        raise NotFoundError("this section's gradebook is not configured yet")
    return GradebookOut.of(book)


@router.put(
    "/sections/{section_id}/gradebook",
    response_model=GradebookOut,
    summary="Configure a section's gradebook",
    description=ConfigureGradebook.__doc__,
)
async def put_gradebook(
    section_id: uuid.UUID,
    body: GradebookIn,
    principal: CurrentPrincipalDep,
    configure: Annotated[ConfigureGradebook, Depends(use_case(ConfigureGradebook, roster))],
) -> GradebookOut:
    setup = GradebookSetup(
        weighting=body.weighting,
        post_policy=body.post_policy,
        total_scheme_id=body.total_scheme_id,
        categories=[
            CategoryEntry(c.name, c.weight_ppm, c.drop_lowest, c.id) for c in body.categories
        ],
        expected_version=body.version,
    )
    return GradebookOut.of(await configure(principal, section_id, setup))


@router.post(
    "/sections/{section_id}/assessments",
    status_code=status.HTTP_201_CREATED,
    response_model=AssessmentOut,
    summary="Add an assessment",
    description=CreateAssessment.__doc__,
)
async def create_assessment(
    section_id: uuid.UUID,
    body: AssessmentIn,
    principal: CurrentPrincipalDep,
    create: Annotated[CreateAssessment, Depends(use_case(CreateAssessment, roster))],
) -> AssessmentOut:
    draft = AssessmentDraft(**body.model_dump())
    return AssessmentOut.of(await create(principal, section_id, draft))


@router.get(
    "/sections/{section_id}/assessments",
    response_model=Page[AssessmentOut],
    summary="A section's assessments, in due order (teachers and admins)",
)
async def list_assessments(
    section_id: uuid.UUID,
    principal: CurrentPrincipalDep,
    reader: ReaderDep,
    params: PageParamsDep,
    request: Request,
    grading_period_id: Annotated[uuid.UUID | None, Query()] = None,
    category_id: Annotated[uuid.UUID | None, Query()] = None,
) -> Page[AssessmentOut]:
    await reader.manager(principal, section_id)
    stmt = assessments_query(principal.institution_id, section_id, grading_period_id, category_id)
    return await paginate(reader.session, stmt, params, request, lambda r: AssessmentOut.of(r[0]))


async def _assessment_for_manager(
    reader: ReaderDep, principal: CurrentPrincipalDep, assessment_id: uuid.UUID
) -> AssessmentOut:
    found = await SqlAlchemyAssessments(reader.session).get(principal.institution_id, assessment_id)
    if found is None:
        raise NotFoundError("assessment not found")
    await reader.manager(principal, found.section_id)
    return AssessmentOut.of(found)


@router.get("/assessments/{assessment_id}", response_model=AssessmentOut, summary="One assessment")
async def get_assessment(
    assessment_id: uuid.UUID, principal: CurrentPrincipalDep, reader: ReaderDep
) -> AssessmentOut:
    return await _assessment_for_manager(reader, principal, assessment_id)


@router.patch(
    "/assessments/{assessment_id}",
    response_model=AssessmentOut,
    summary="Change an assessment",
    description=UpdateAssessment.__doc__,
)
async def patch_assessment(
    assessment_id: uuid.UUID,
    body: AssessmentPatchIn,
    principal: CurrentPrincipalDep,
    update: Annotated[UpdateAssessment, Depends(use_case(UpdateAssessment, roster))],
) -> AssessmentOut:
    fields = frozenset(body.model_fields_set - {"version", "reason"})
    patch = AssessmentPatch(
        fields=fields,
        values={f: getattr(body, f) for f in fields},
        expected_version=body.version,
        reason=body.reason,
    )
    return AssessmentOut.of(await update(principal, assessment_id, patch))
