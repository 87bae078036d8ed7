"""Routes for reports per student, per section and per day, as JSON or CSV."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from edtech.attendance.api.common import PREFIX, TAG, ReadRosterDep, require_watch
from edtech.attendance.api.schemas import (
    DayReportOut,
    ReportSessionOut,
    SectionReportOut,
    SessionLineOut,
    StudentLineOut,
    StudentReportOut,
    SummaryOut,
)
from edtech.attendance.application.common import is_attendance_staff
from edtech.attendance.domain import Category, MarkFigure, summarize
from edtech.attendance.infrastructure import queries
from edtech.identity.public import CurrentPrincipalDep
from edtech.kernel.errors import FieldProblem, ForbiddenError, InvalidError, NotFoundError
from edtech.platform.http.csv_file import csv_response
from edtech.platform.http.deps import ReadSessionDep

router = APIRouter(prefix=f"{PREFIX}/reports", tags=[TAG])
Format = Annotated[Literal["json", "csv"], Query(alias="format")]
MAX_RANGE_DAYS = 400
SUMMARY_FIELDS = list(SummaryOut.model_fields)
CSV: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The report; with `format=csv`, the same as CSV.",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
}


def _range(first: date, last: date) -> None:
    if last < first or (last - first).days > MAX_RANGE_DAYS:
        raise InvalidError(
            "Invalid range.",
            [FieldProblem(("query", "last"), f"0–{MAX_RANGE_DAYS} days after first")],
        )


def _figure(row: Any) -> MarkFigure:
    return MarkFigure(
        category=Category(row.category) if row.category else None,
        minutes_late=row.minutes_late,
        present_percent=row.present_percent,
    )


def _summary(rows: Iterable[Any]) -> SummaryOut:
    return SummaryOut.model_validate(summarize(_figure(r) for r in rows), from_attributes=True)


def _group(rows: Iterable[Any], key: str) -> dict[Any, list[Any]]:
    out: dict[Any, list[Any]] = {}
    for row in rows:
        out.setdefault(getattr(row, key), []).append(row)
    return out


@router.get(
    "/students/{student_id}",
    response_model=StudentReportOut,
    summary="A student's attendance",
    responses=CSV,
)
async def student_report(
    student_id: uuid.UUID,
    principal: CurrentPrincipalDep,
    db: ReadSessionDep,
    roster: ReadRosterDep,
    first: Annotated[date, Query()],
    last: Annotated[date, Query()],
    fmt: Format = "json",
) -> Any:
    """Sessions, present %, tardies, minutes late, absences excused and unexcused."""
    _range(first, last)
    if not await roster.may_view_student(principal, student_id):
        raise NotFoundError("Student not found.")
    rows = await queries.report_rows(
        db, principal.institution_id, first, last, student_id=student_id
    )
    name = (await roster.names(principal.institution_id, [student_id])).get(student_id)
    sessions = [
        ReportSessionOut(
            session_id=r.session_id,
            section_id=r.section_id,
            day=r.day,
            starts_at=r.starts_at,
            code=r.official_code,
            category=r.category.value if r.category else None,
            minutes_late=r.minutes_late,
        )
        for r in rows
    ]
    if fmt == "csv":
        return csv_response(
            f"attendance-student-{student_id}-{first}-{last}",
            ["day", "starts_at", "section_id", "session_id", "code", "category", "minutes_late"],
            (
                [
                    s.day,
                    s.starts_at.isoformat(),
                    s.section_id,
                    s.session_id,
                    s.code,
                    s.category,
                    s.minutes_late,
                ]
                for s in sessions
            ),
        )
    return StudentReportOut(
        student_id=student_id,
        name=name,
        first=first,
        last=last,
        summary=_summary(rows),
        sessions=sessions,
    )


@router.get(
    "/sections/{section_id}",
    response_model=SectionReportOut,
    summary="A section's attendance",
    responses=CSV,
)
async def section_report(
    section_id: uuid.UUID,
    principal: CurrentPrincipalDep,
    db: ReadSessionDep,
    roster: ReadRosterDep,
    first: Annotated[date, Query()],
    last: Annotated[date, Query()],
    fmt: Format = "json",
) -> Any:
    """One line per student of the section's sessions in the range (teachers and the office)."""
    _range(first, last)
    school_id = await roster.school_of_section(principal.institution_id, section_id)
    if school_id is None:
        raise NotFoundError("Section not found.")
    await require_watch(roster, principal, section_id, school_id)
    rows = await queries.report_rows(
        db, principal.institution_id, first, last, section_id=section_id
    )
    by_student = _group(rows, "student_id")
    names = await roster.names(principal.institution_id, list(by_student))
    lines = sorted(
        (
            StudentLineOut(student_id=sid, name=names.get(sid), summary=_summary(rs))
            for sid, rs in by_student.items()
        ),
        key=lambda line: (line.name or "", str(line.student_id)),
    )
    if fmt == "csv":
        return csv_response(
            f"attendance-section-{section_id}-{first}-{last}",
            ["student_id", "name", *SUMMARY_FIELDS],
            ([ln.student_id, ln.name, *ln.summary.model_dump().values()] for ln in lines),
        )
    return SectionReportOut(section_id=section_id, first=first, last=last, students=lines)


@router.get(
    "/days/{day}",
    response_model=DayReportOut,
    summary="A day's attendance, per session",
    responses=CSV,
)
async def day_report(
    day: date,
    principal: CurrentPrincipalDep,
    db: ReadSessionDep,
    fmt: Format = "json",
    school_id: Annotated[uuid.UUID | None, Query()] = None,
) -> Any:
    """Every session of the day with its figures: for the attendance office."""
    if not is_attendance_staff(principal, school_id):
        raise ForbiddenError("Only the attendance office sees the day report.")
    rows = await queries.report_rows(db, principal.institution_id, day, day, school_id=school_id)
    lines = [
        SessionLineOut(
            session_id=sid,
            section_id=rs[0].section_id,
            starts_at=rs[0].starts_at,
            state=rs[0].state.value,
            summary=_summary(rs),
        )
        for sid, rs in _group(rows, "session_id").items()
    ]
    if fmt == "csv":
        return csv_response(
            f"attendance-day-{day}",
            ["session_id", "section_id", "starts_at", "state", *SUMMARY_FIELDS],
            (
                [
                    ln.session_id,
                    ln.section_id,
                    ln.starts_at.isoformat(),
                    ln.state,
                    *ln.summary.model_dump().values(),
                ]
                for ln in lines
            ),
        )
    return DayReportOut(day=day, sessions=lines)
