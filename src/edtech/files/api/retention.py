"""Routes of retention: how long the institution keeps its files, per category."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field, StrictInt

from edtech.files.application.set_retention import SetRetention
from edtech.files.domain import Category
from edtech.files.domain.retention import DEFAULTS, Periods, bounds, with_defaults
from edtech.files.infrastructure.retention import retention_overrides
from edtech.identity.public import CurrentPrincipalDep
from edtech.kernel.errors import ForbiddenError
from edtech.kernel.principal import Role
from edtech.platform.http.deps import ReadSessionDep, use_case

router = APIRouter(prefix="/api/v1/files", tags=["files"])


class RetentionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    periods: dict[Category, StrictInt | None] = Field(
        description="Days each named category is kept after its file was made; null: as long "
        "as its record. Categories not named keep their period.",
        examples=[{"excuse_note": 730, "record_package": 14}],
    )


class CategoryRetention(BaseModel):
    category: Category
    days: int | None = Field(description="The period in force; null: as long as its record.")
    default_days: int | None = Field(description="The period when the institution sets none.")
    min_days: int
    max_days: int
    may_keep_forever: bool = Field(description="Whether null (no period) is allowed.")


class RetentionOut(BaseModel):
    """Every category's period, with the range the institution may choose from."""

    categories: list[CategoryRetention]


def retention_out(periods: Periods) -> RetentionOut:
    rows = []
    for category, days in periods.items():
        low, high, forever = bounds(category)
        rows.append(
            CategoryRetention(
                category=category,
                days=days,
                default_days=DEFAULTS[category],
                min_days=low,
                max_days=high,
                may_keep_forever=forever,
            )
        )
    return RetentionOut(categories=rows)


ADMINS_ONLY: dict[int | str, dict[str, Any]] = {
    403: {"description": "Institution administrators only."}
}


@router.get(
    "/retention",
    response_model=RetentionOut,
    responses=ADMINS_ONLY,
    summary="How long the institution keeps its files, per category",
)
async def get_retention(principal: CurrentPrincipalDep, db: ReadSessionDep) -> RetentionOut:
    if Role.INSTITUTION_ADMIN not in principal.roles:
        raise ForbiddenError("only institution administrators see how long files are kept")
    return retention_out(with_defaults(await retention_overrides(db, principal.institution_id)))


@router.put(
    "/retention",
    response_model=RetentionOut,
    responses={
        **ADMINS_ONLY,
        422: {"description": "A period outside its category's range; nothing changed."},
    },
    summary="Set how long the institution keeps its files, per category",
    description=SetRetention.__doc__,
)
async def put_retention(
    body: RetentionIn,
    principal: CurrentPrincipalDep,
    use: Annotated[SetRetention, Depends(use_case(SetRetention))],
) -> RetentionOut:
    return retention_out(await use(principal, body.periods))
