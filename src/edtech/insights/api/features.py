"""The per-student feature table of a school, scored by the node's scorer, as JSON or CSV."""

from __future__ import annotations

import io
import uuid
from dataclasses import asdict
from datetime import date, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from edtech.identity.public import CurrentPrincipalDep
from edtech.insights.channels import may_follow_signals
from edtech.insights.domain import Level
from edtech.insights.domain.features import (
    FEATURE_VERSION,
    FEATURES,
    Scorer,
    grade_features,
    student_features,
    totals_as_of,
)
from edtech.insights.domain.measures import PeriodMark
from edtech.insights.infrastructure.measures import period_marks
from edtech.insights.infrastructure.standings import grade_totals_of
from edtech.insights.infrastructure.thresholds import thresholds_of
from edtech.institutions.public import school_clock, school_in_institution
from edtech.kernel.errors import FieldProblem, ForbiddenError, InvalidError, NotFoundError
from edtech.platform.http.csv_file import csv_response
from edtech.platform.http.deps import ClockDep, ReadSessionDep, component
from edtech.platform.http.pagination import Page, PageParamsDep

router = APIRouter(prefix="/api/v1/insights/features", tags=["insights"])
ScorerDep = Annotated[Scorer, Depends(component(Scorer))]
DEFAULT_DAYS = 365
MAX_DAYS = 400

PARQUET = "application/vnd.apache.parquet"
_DOC = "; ".join(f"`{k}`: {v}" for k, v in FEATURES.items())


class FeatureRowOut(BaseModel):
    __doc__ = f"One student's features (version {FEATURE_VERSION}) and score. {_DOC}."

    student_id: uuid.UUID
    feature_version: int
    as_of: date
    days_enrolled: int
    days_absent: float
    absence_rate: float
    absences_unexcused: int
    absences_excused: int
    tardies: int
    minutes_late: int
    longest_absence_streak: int
    current_absence_streak: int
    recent_days_absent: float
    courses_with_total: int
    lowest_course_total: float | None
    failing_courses: int
    largest_grade_drop: float
    missing_work: int
    score_level: Level
    score_value: float
    score_reasons: list[str]
    scorer: str = Field(description="The scorer's name and version (`rules@3`).")


class FeaturePage(Page[FeatureRowOut]):
    """One page of a school's feature table, from `first` to `as_of` (school days)."""

    first: date
    as_of: date
    feature_version: int


@router.get(
    "/schools/{school_id}",
    response_model=FeaturePage,
    summary="A school's per-student feature table",
    responses={
        200: {
            "description": (
                "The feature table; with `format=csv`, every student as CSV; with "
                "`format=parquet`, every student as Apache Parquet (typed columns, "
                "`score_reasons` a list of strings, the feature version in the file's "
                "metadata)."
            ),
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                PARQUET: {"schema": {"type": "string", "format": "binary"}},
            },
        },
        403: {"description": "Not a counsellor or administrator of the school."},
        404: {"description": "No such school in the institution."},
    },
)
async def school_features(
    school_id: uuid.UUID,
    request: Request,
    principal: CurrentPrincipalDep,
    db: ReadSessionDep,
    clock: ClockDep,
    scorer: ScorerDep,
    page: PageParamsDep,
    as_of: Annotated[date | None, Query(description="Default: today at the school.")] = None,
    first: Annotated[date | None, Query(description="Default: 365 days before as_of.")] = None,
    fmt: Annotated[Literal["json", "csv", "parquet"], Query(alias="format")] = "json",
) -> Any:
    """Every student's features behind the signals (documented, versioned: a model trained on
    one version is scored on the same) with the score of the node's scorer — the rule-based one
    unless a model was plugged into the scoring port. For the school's counsellors and
    administrators; export it as CSV or Parquet to train or evaluate a model of your own."""
    if not await school_in_institution(db, principal.institution_id, school_id):
        raise NotFoundError("School not found.")
    if not may_follow_signals(principal, school_id):
        raise ForbiddenError("Only the school's counsellors and administrators see this.")
    today = (await school_clock(db, clock, principal.institution_id, school_id)).today()
    as_of = as_of or today
    first = first or as_of - timedelta(days=DEFAULT_DAYS - 1)
    if as_of < first or (as_of - first).days > MAX_DAYS:
        raise InvalidError(
            "Invalid range.", [FieldProblem(("query", "as_of"), f"0–{MAX_DAYS} days after first")]
        )
    thresholds = await thresholds_of(db, principal.institution_id)
    scorer = scorer.with_thresholds(thresholds)
    marks = await period_marks(db, principal.institution_id, first, as_of, school_id=school_id)
    per_student: dict[uuid.UUID, list[PeriodMark]] = {}
    for m in marks:
        per_student.setdefault(m.student_id, []).append(m)
    students = sorted(per_student, key=str)
    totals, missing = await grade_totals_of(db, principal.institution_id, students)
    rows = []
    for student_id in students:
        features = student_features(student_id, per_student[student_id], as_of, thresholds.day_rule)
        seen = totals_as_of(totals.get(student_id, []), as_of)
        grades = grade_features(seen, missing.get(student_id, 0) if seen else 0, thresholds)
        score = scorer.score(features, grades)
        rows.append(
            FeatureRowOut(
                **asdict(features),
                **asdict(grades),
                feature_version=FEATURE_VERSION,
                score_level=score.level,
                score_value=score.value,
                score_reasons=list(score.reasons),
                scorer=f"{scorer.name}@{scorer.version}",
            )
        )
    if fmt == "parquet":
        return Response(
            parquet_of(rows),
            media_type=PARQUET,
            headers={
                "Content-Disposition": (
                    f'attachment; filename="features-v{FEATURE_VERSION}-school-{school_id}-'
                    f'{as_of}.parquet"'
                )
            },
        )
    if fmt == "csv":
        header = list(FeatureRowOut.model_fields)
        lines = []
        for row in rows:
            values = row.model_dump(mode="json")
            values["score_reasons"] = " · ".join(values["score_reasons"])
            lines.append([values[k] for k in header])
        name = f"features-v{FEATURE_VERSION}-school-{school_id}-{as_of}"
        return csv_response(name, header, lines)
    total = len(rows)
    next_url = None
    if page.offset + page.limit < total:
        next_url = str(
            request.url.include_query_params(offset=page.offset + page.limit, limit=page.limit)
        )
    return FeaturePage(
        items=rows[page.offset : page.offset + page.limit],
        total=total,
        limit=page.limit,
        offset=page.offset,
        next=next_url,
        first=first,
        as_of=as_of,
        feature_version=FEATURE_VERSION,
    )


def parquet_of(rows: list[FeatureRowOut]) -> bytes:
    """The rows as one Parquet file: a typed column per field (ids as strings, dates as dates,
    `score_reasons` a list of strings), the feature version in the schema's metadata."""
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    kinds: dict[Any, Any] = {
        int: pa.int64(),
        float: pa.float64(),
        float | None: pa.float64(),
        date: pa.date32(),
        list[str]: pa.list_(pa.string()),
    }
    schema = pa.schema(
        [
            pa.field(
                name,
                kinds.get(info.annotation, pa.string()),
                nullable=name == "lowest_course_total",
            )
            for name, info in FeatureRowOut.model_fields.items()
        ],
        metadata={"feature_version": str(FEATURE_VERSION)},
    )
    columns: dict[str, list[Any]] = {name: [] for name in schema.names}
    for row in rows:
        values = row.model_dump()
        values["student_id"] = str(row.student_id)
        values["score_level"] = row.score_level.value
        for name in schema.names:
            columns[name].append(values[name])
    sink = io.BytesIO()
    pq.write_table(pa.table(columns, schema=schema), sink)
    return sink.getvalue()
