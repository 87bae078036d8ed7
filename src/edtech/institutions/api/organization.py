"""Routes for the institution, its schools, academic sessions (terms) and courses."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status

from edtech.identity.public import CurrentPrincipalDep
from edtech.institutions.api.deps import PolicyDep, one
from edtech.institutions.api.schemas import (
    CourseIn,
    CourseOut,
    CoursePatch,
    InstitutionOut,
    InstitutionPatch,
    SchoolIn,
    SchoolOut,
    SchoolPatch,
    TermIn,
    TermOut,
    TermPatch,
)
from edtech.institutions.application.create_academic_session import (
    CreateAcademicSession,
    NewAcademicSession,
)
from edtech.institutions.application.create_course import CreateCourse, NewCourse
from edtech.institutions.application.create_school import CreateSchool, NewSchool
from edtech.institutions.application.update_academic_session import UpdateAcademicSession
from edtech.institutions.application.update_course import UpdateCourse
from edtech.institutions.application.update_institution import UpdateInstitution
from edtech.institutions.application.update_school import UpdateSchool
from edtech.institutions.domain import SessionKind
from edtech.institutions.infrastructure import queries
from edtech.platform.http.deps import ReadSessionDep, use_case
from edtech.platform.http.pagination import Page, PageParamsDep, paginate

router = APIRouter(prefix="/api/v1", tags=["institutions"])


async def _institution(session: ReadSessionDep, institution_id: uuid.UUID) -> InstitutionOut:
    row = await queries.institution_row(session, institution_id)
    return InstitutionOut.model_validate(one(row, "institution"))


@router.get("/institutions/me", response_model=InstitutionOut, summary="The caller's institution")
async def get_my_institution(
    principal: CurrentPrincipalDep, session: ReadSessionDep
) -> InstitutionOut:
    return await _institution(session, principal.institution_id)


@router.patch("/institutions/me", response_model=InstitutionOut, summary="Change the institution")
async def patch_my_institution(
    body: InstitutionPatch,
    principal: CurrentPrincipalDep,
    update: Annotated[UpdateInstitution, Depends(use_case(UpdateInstitution))],
    session: ReadSessionDep,
) -> InstitutionOut:
    """Only institution admins change the tenant's name, time zone, locale or currency."""
    await update(principal, body.model_dump(exclude_unset=True))
    return await _institution(session, principal.institution_id)


# -- schools -----------------------------------------------------------------------------------


async def _school(
    session: ReadSessionDep, institution_id: uuid.UUID, school_id: uuid.UUID
) -> SchoolOut:
    row = await queries.school_row(session, institution_id, school_id)
    return SchoolOut.model_validate(one(row, "school"))


@router.get("/schools", response_model=Page[SchoolOut], summary="List schools")
async def list_schools(
    request: Request,
    principal: CurrentPrincipalDep,
    session: ReadSessionDep,
    page: PageParamsDep,
    q: Annotated[str | None, Query(max_length=100, description="Name contains.")] = None,
) -> Page[SchoolOut]:
    stmt = queries.schools(principal.institution_id, q=q)
    return await paginate(
        session, stmt, page, request, lambda r: SchoolOut.model_validate(dict(r._mapping))
    )


@router.post(
    "/schools",
    response_model=SchoolOut,
    status_code=status.HTTP_201_CREATED,
    summary="Add a school",
)
async def create_school(
    body: SchoolIn,
    principal: CurrentPrincipalDep,
    create: Annotated[CreateSchool, Depends(use_case(CreateSchool))],
    session: ReadSessionDep,
) -> SchoolOut:
    """Institution admins add schools; names are unique within the institution."""
    school_id = await create(principal, NewSchool(**body.model_dump()))
    return await _school(session, principal.institution_id, school_id)


@router.get("/schools/{school_id}", response_model=SchoolOut, summary="One school")
async def get_school(
    school_id: uuid.UUID, principal: CurrentPrincipalDep, session: ReadSessionDep
) -> SchoolOut:
    return await _school(session, principal.institution_id, school_id)


@router.patch("/schools/{school_id}", response_model=SchoolOut, summary="Change a school")
async def patch_school(
    school_id: uuid.UUID,
    body: SchoolPatch,
    principal: CurrentPrincipalDep,
    update: Annotated[UpdateSchool, Depends(use_case(UpdateSchool))],
    session: ReadSessionDep,
) -> SchoolOut:
    await update(principal, school_id, body.model_dump(exclude_unset=True))
    return await _school(session, principal.institution_id, school_id)


# -- academic sessions -------------------------------------------------------------------------


async def _term(session: ReadSessionDep, institution_id: uuid.UUID, term_id: uuid.UUID) -> TermOut:
    row = await queries.term_row(session, institution_id, term_id)
    return TermOut.model_validate(one(row, "academic session"))


@router.get("/terms", response_model=Page[TermOut], summary="List academic sessions")
async def list_terms(
    request: Request,
    principal: CurrentPrincipalDep,
    session: ReadSessionDep,
    policy: PolicyDep,
    page: PageParamsDep,
    kind: SessionKind | None = None,
    school_id: uuid.UUID | None = None,
    parent_id: uuid.UUID | None = None,
    active: Annotated[bool | None, Query(description="Only sessions covering today.")] = None,
) -> Page[TermOut]:
    """School years, terms and grading periods, by start date."""
    on = policy.today if active else None
    stmt = queries.terms(
        principal.institution_id, kind=kind, school_id=school_id, parent_id=parent_id, on=on
    )
    return await paginate(
        session, stmt, page, request, lambda r: TermOut.model_validate(dict(r._mapping))
    )


@router.post(
    "/terms", response_model=TermOut, status_code=status.HTTP_201_CREATED, summary="Add a session"
)
async def create_term(
    body: TermIn,
    principal: CurrentPrincipalDep,
    create: Annotated[CreateAcademicSession, Depends(use_case(CreateAcademicSession))],
    session: ReadSessionDep,
) -> TermOut:
    """A school year, term or grading period; each lies inside its parent's dates."""
    term_id = await create(principal, NewAcademicSession(**body.model_dump()))
    return await _term(session, principal.institution_id, term_id)


@router.get("/terms/{term_id}", response_model=TermOut, summary="One academic session")
async def get_term(
    term_id: uuid.UUID, principal: CurrentPrincipalDep, session: ReadSessionDep
) -> TermOut:
    return await _term(session, principal.institution_id, term_id)


@router.patch("/terms/{term_id}", response_model=TermOut, summary="Change an academic session")
async def patch_term(
    term_id: uuid.UUID,
    body: TermPatch,
    principal: CurrentPrincipalDep,
    update: Annotated[UpdateAcademicSession, Depends(use_case(UpdateAcademicSession))],
    session: ReadSessionDep,
) -> TermOut:
    await update(principal, term_id, body.model_dump(exclude_unset=True))
    return await _term(session, principal.institution_id, term_id)


# -- courses -----------------------------------------------------------------------------------


async def _course(
    session: ReadSessionDep, institution_id: uuid.UUID, course_id: uuid.UUID
) -> CourseOut:
    row = await queries.course_row(session, institution_id, course_id)
    return CourseOut.model_validate(one(row, "course"))


@router.get("/courses", response_model=Page[CourseOut], summary="List courses")
async def list_courses(
    request: Request,
    principal: CurrentPrincipalDep,
    session: ReadSessionDep,
    page: PageParamsDep,
    school_id: uuid.UUID | None = None,
    q: Annotated[str | None, Query(max_length=100, description="Code or title contains.")] = None,
) -> Page[CourseOut]:
    stmt = queries.courses(principal.institution_id, school_id=school_id, q=q)
    return await paginate(
        session, stmt, page, request, lambda r: CourseOut.model_validate(dict(r._mapping))
    )


@router.post(
    "/courses",
    response_model=CourseOut,
    status_code=status.HTTP_201_CREATED,
    summary="Add a course",
)
async def create_course(
    body: CourseIn,
    principal: CurrentPrincipalDep,
    create: Annotated[CreateCourse, Depends(use_case(CreateCourse))],
    session: ReadSessionDep,
) -> CourseOut:
    """Admins of a school add its courses; a course code is unique within its school."""
    course_id = await create(principal, NewCourse(**body.model_dump()))
    return await _course(session, principal.institution_id, course_id)


@router.get("/courses/{course_id}", response_model=CourseOut, summary="One course")
async def get_course(
    course_id: uuid.UUID, principal: CurrentPrincipalDep, session: ReadSessionDep
) -> CourseOut:
    return await _course(session, principal.institution_id, course_id)


@router.patch("/courses/{course_id}", response_model=CourseOut, summary="Change a course")
async def patch_course(
    course_id: uuid.UUID,
    body: CoursePatch,
    principal: CurrentPrincipalDep,
    update: Annotated[UpdateCourse, Depends(use_case(UpdateCourse))],
    session: ReadSessionDep,
) -> CourseOut:
    await update(principal, course_id, body.model_dump(exclude_unset=True))
    return await _course(session, principal.institution_id, course_id)
