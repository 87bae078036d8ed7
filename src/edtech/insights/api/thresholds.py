"""The institution's signal thresholds and whether guardians see their children's signals: read
and set by its administrators."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from edtech.identity.public import CurrentPrincipalDep
from edtech.insights.application.set_thresholds import SetThresholds
from edtech.insights.domain.thresholds import DEFAULT_THRESHOLDS, RANGES, Thresholds
from edtech.insights.infrastructure.thresholds import thresholds_of
from edtech.kernel.errors import ForbiddenError
from edtech.kernel.principal import Principal
from edtech.platform.http.deps import ReadSessionDep, use_case

router = APIRouter(prefix="/api/v1/insights", tags=["insights"])


def _field(name: str, description: str) -> Any:
    low, high = RANGES[name]
    return Field(getattr(DEFAULT_THRESHOLDS, name), ge=low, le=high, description=description)


class ThresholdsIn(BaseModel):
    """Where each indicator becomes an alert, and whether guardians see their children's
    signals. Omitted values take their defaults."""

    chronic_absence_percent: int = _field(
        "chronic_absence_percent",
        "Absence: missed ≥ this % of sessions (signal) or enrolled days (scorer, measures).",
    )
    consecutive_absent_days: int = _field(
        "consecutive_absent_days",
        "Absence: this many school days in a row missed, up to the latest, is an alert.",
    )
    failing_percent: int = _field(
        "failing_percent", "Grades: a course's published total below this % is failing."
    )
    grade_drop_points: int = _field(
        "grade_drop_points",
        "Grades: a course total down this many points since its previous publication.",
    )
    missing_work: int = _field(
        "missing_work", "Grades: this many published results flagged missing, all courses."
    )
    full_day_percent: int = _field(
        "full_day_percent",
        "Attendance: a school day counts in full when the student was in class for at least "
        "this % of the day's minutes (each period weighted by its length and its code).",
    )
    half_day_percent: int = _field(
        "half_day_percent",
        "Attendance: ...and as half a day from this % (at most `full_day_percent`).",
    )
    not_taken_after_minutes: int = _field(
        "not_taken_after_minutes",
        "Attendance: a register nobody started this many minutes after its period began is "
        "an alert to its teachers and the office.",
    )
    guardians_see_signals: bool = Field(
        DEFAULT_THRESHOLDS.guardians_see_signals,
        description=(
            "Whether a guardian may list their own children's signals "
            "(`GET /api/v1/insights/signals`); off by default."
        ),
    )


class ThresholdsOut(ThresholdsIn):
    pass


def _require_admin(principal: Principal) -> None:
    if not principal.is_institution_admin:
        raise ForbiddenError("Only institution administrators see and set the thresholds.")


FORBIDDEN: dict[int | str, dict[str, Any]] = {
    403: {"description": "Not an institution administrator."}
}


@router.get("/thresholds", response_model=ThresholdsOut, responses=FORBIDDEN)
async def get_thresholds(principal: CurrentPrincipalDep, db: ReadSessionDep) -> ThresholdsOut:
    """The institution's thresholds (the defaults until an administrator sets them)."""
    _require_admin(principal)
    return ThresholdsOut(**asdict(await thresholds_of(db, principal.institution_id)))


@router.put(
    "/thresholds",
    response_model=ThresholdsOut,
    responses={
        **FORBIDDEN,
        422: {"description": "A value outside its range, or a half day above a full day."},
    },
)
async def put_thresholds(
    body: ThresholdsIn,
    principal: CurrentPrincipalDep,
    set_thresholds: Annotated[SetThresholds, Depends(use_case(SetThresholds))],
) -> ThresholdsOut:
    """Replace the institution's thresholds (institution administrators). Every signal of the
    institution is recomputed by the new ones in the background (`insights.recompute_all`,
    queued with the change); each level that changes reaches the counsellors live. Turning
    `guardians_see_signals` on or off alone recomputes nothing."""
    saved = await set_thresholds(principal, Thresholds(**body.model_dump()))
    return ThresholdsOut(**asdict(saved))
