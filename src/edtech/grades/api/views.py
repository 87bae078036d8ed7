"""Read views: the teachers' grid and CSV export, and the students' and guardians' grades."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from edtech.grades.api.deps import ReaderDep
from edtech.grades.api.schemas import (
    AssessmentOut,
    CellOut,
    GridPage,
    GridRowOut,
    MarkOut,
    StudentGradesOut,
    StudentOverviewOut,
    StudentResultOut,
    TotalOut,
)
from edtech.grades.domain import Flag, plain
from edtech.grades.domain.book import SectionBook
from edtech.grades.infrastructure.loading import load_section_book
from edtech.grades.infrastructure.queries import sections_with_published_results
from edtech.identity.public import CurrentPrincipalDep
from edtech.kernel.errors import ForbiddenError, NotFoundError
from edtech.kernel.principal import Principal
from edtech.platform.http.csv_file import csv_response
from edtech.platform.http.pagination import MAX_LIMIT, PageParamsDep

router = APIRouter(prefix="/api/v1", tags=["grades"])

PeriodQuery = Annotated[
    uuid.UUID | None, Query(description="Only this grading period (default: all).")
]


def _pct(value: object) -> str | None:
    return None if value is None else str(value)


@router.get(
    "/sections/{section_id}/gradebook/grid",
    response_model=GridPage,
    summary="The gradebook grid: students × assessments, drafts and published, with flags",
)
async def grid(
    section_id: uuid.UUID,
    principal: CurrentPrincipalDep,
    reader: ReaderDep,
    params: PageParamsDep,
    request: Request,
    grading_period_id: PeriodQuery = None,
    category_id: Annotated[uuid.UUID | None, Query()] = None,
    student_id: Annotated[uuid.UUID | None, Query()] = None,
    flag: Annotated[Flag | None, Query(description="Only students with this flag")] = None,
    unpublished: Annotated[
        bool, Query(description="Only students with unpublished changes")
    ] = False,
) -> GridPage:
    """One page of the section's enrolled students (by name), with every filtered assessment."""
    await reader.manager(principal, section_id)
    iid = principal.institution_id
    students = await reader.roster.students_of_section(iid, section_id)
    if student_id is not None:
        students = [s for s in students if s == student_id]
    book = await load_section_book(
        reader.session,
        iid,
        section_id,
        grading_period_id=grading_period_id,
        category_id=category_id,
        student_ids=students,
    )
    if flag is not None or unpublished:
        students = [s for s in students if _matches(book, s, flag, unpublished)]
    page = students[params.offset : params.offset + params.limit]
    names = await reader.roster.display_names(iid, page)
    rows = [_row(book, s, names.get(s, "")) for s in page]
    more = params.offset + params.limit < len(students)
    return GridPage(
        assessments=[AssessmentOut.of(a) for a in book.assessments],
        items=rows,
        total=len(students),
        limit=params.limit,
        offset=params.offset,
        next=str(
            request.url.include_query_params(
                offset=params.offset + params.limit, limit=params.limit
            )
        )
        if more
        else None,
    )


def _matches(book: SectionBook, student: uuid.UUID, flag: Flag | None, unpublished: bool) -> bool:
    results = [r for (_, s), r in book.results.items() if s == student]
    if flag is not None and not any(flag in r.draft.flags for r in results):
        return False
    return not unpublished or any(r.has_unpublished_changes for r in results)


def _row(book: SectionBook, student: uuid.UUID, name: str) -> GridRowOut:
    cells = []
    for a in book.assessments:
        r = book.results.get((a.id, student))
        cells.append(
            CellOut(
                assessment_id=a.id,
                result_id=r.id if r else None,
                draft=MarkOut.of(r.draft) if r else None,
                published=MarkOut.of(r.published) if r and r.published else None,
                unpublished_changes=r.has_unpublished_changes if r else False,
                version=r.version if r else 0,
            )
        )
    return GridRowOut(
        student_id=student,
        student_name=name,
        cells=cells,
        teacher_total=_pct(book.total(student, published=False).percent),
        published_total=_pct(book.total(student, published=True).percent),
    )


@router.get(
    "/sections/{section_id}/gradebook.csv",
    summary="Export the section's gradebook as CSV (teachers and admins)",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
async def export_csv(
    section_id: uuid.UUID,
    principal: CurrentPrincipalDep,
    reader: ReaderDep,
    grading_period_id: PeriodQuery = None,
) -> Response:
    """One row per student: each assessment's draft, published score and flags; both totals."""
    await reader.manager(principal, section_id)
    iid = principal.institution_id
    students = await reader.roster.students_of_section(iid, section_id)
    book = await load_section_book(
        reader.session, iid, section_id, grading_period_id=grading_period_id, student_ids=students
    )
    names = await reader.roster.display_names(iid, students)
    header = ["student_id", "student"]
    for a in book.assessments:
        header += [
            f"{a.title} (max {plain(a.max_points)}) draft",
            f"{a.title} published",
            f"{a.title} flags",
        ]
    rows: list[list[str]] = []
    for s in students:
        row = [str(s), names.get(s, "")]
        for a in book.assessments:
            r = book.results.get((a.id, s))
            row += [
                (r.draft.entered or "") if r else "",
                (r.published.entered or "") if r and r.published else "",
                " ".join(sorted(f.value for f in r.draft.flags)) if r else "",
            ]
        row += [
            _pct(book.total(s, published=False).percent) or "",
            _pct(book.total(s, published=True).percent) or "",
        ]
        rows.append(row)
    return csv_response(
        f"gradebook-{section_id}", [*header, "teacher total %", "published total %"], rows
    )


async def _student_grades(
    reader: ReaderDep,
    principal: Principal,
    section_id: uuid.UUID,
    student_id: uuid.UUID,
    grading_period_id: uuid.UUID | None,
    teacher_view: bool,
) -> StudentGradesOut:
    book = await load_section_book(
        reader.session,
        principal.institution_id,
        section_id,
        grading_period_id=grading_period_id,
        student_ids=[student_id],
    )
    results = []
    for a in book.assessments:
        r = book.results.get((a.id, student_id))
        published = r.published if r else None
        if published is None and not teacher_view:
            continue  # drafts, and assessments nobody published, stay invisible
        results.append(
            StudentResultOut(
                assessment_id=a.id,
                title=a.title,
                category_id=a.category_id,
                max_points=plain(a.max_points),
                due_at=a.due_at,
                published=MarkOut.of(published) if published else None,
                published_at=r.published_at if r else None,
                draft=MarkOut.of(r.draft) if teacher_view and r else None,
            )
        )
    return StudentGradesOut(
        section_id=section_id,
        student_id=student_id,
        grading_period_id=grading_period_id,
        results=results,
        total=TotalOut.of(book.total(student_id, published=True)),
        teacher_total=TotalOut.of(book.total(student_id, published=False))
        if teacher_view
        else None,
    )


@router.get(
    "/sections/{section_id}/students/{student_id}/grades",
    response_model=StudentGradesOut,
    summary="A student's grades and total in a section, with its derivation",
)
async def student_grades(
    section_id: uuid.UUID,
    student_id: uuid.UUID,
    principal: CurrentPrincipalDep,
    reader: ReaderDep,
    grading_period_id: PeriodQuery = None,
    view: Annotated[
        Literal["published", "teacher"],
        Query(description="`teacher` adds drafts and the teacher's total (teachers and admins)."),
    ] = "published",
) -> StudentGradesOut:
    """Students, their entitled guardians, teachers and the office see published results only;
    the section's teachers and admins may ask for the teacher's view."""
    if await reader.roster.school_of_section(principal.institution_id, section_id) is None:
        raise NotFoundError("section not found")
    if view == "teacher":
        await reader.manager(principal, section_id)
    else:
        await reader.may_view_grades(principal, student_id)
    return await _student_grades(
        reader, principal, section_id, student_id, grading_period_id, view == "teacher"
    )


@router.get(
    "/students/{student_id}/grades",
    response_model=StudentOverviewOut,
    summary="A student's published grades and totals in every section",
)
async def student_overview(
    student_id: uuid.UUID,
    principal: CurrentPrincipalDep,
    reader: ReaderDep,
    grading_period_id: PeriodQuery = None,
) -> StudentOverviewOut:
    await reader.may_view_grades(principal, student_id)
    sections = await sections_with_published_results(
        reader.session, principal.institution_id, student_id
    )
    if len(sections) > MAX_LIMIT:
        raise ForbiddenError("too many sections")  # pragma: no cover - guards a pathological case
    return StudentOverviewOut(
        student_id=student_id,
        sections=[
            await _student_grades(reader, principal, s, student_id, grading_period_id, False)
            for s in sections
        ],
    )
