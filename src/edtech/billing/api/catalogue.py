"""Routes of the fee catalogue: categories, items, plans and grants."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from edtech.billing.api import schemas as s
from edtech.billing.api.common import NOT_FOUND, BillingManagerDep, roster
from edtech.billing.application.approve_grant import ApproveGrant, NewGrant
from edtech.billing.application.define_fee_category import DefineFeeCategory, NewCategory
from edtech.billing.application.define_fee_item import DefineFeeItem, NewFeeItem
from edtech.billing.application.define_fee_plan import DefineFeePlan, NewFeePlan, NewInstallment
from edtech.billing.infrastructure import reads
from edtech.platform.http.deps import ReadSessionDep, use_case

router = APIRouter(prefix="/api/v1/billing", tags=["billing"])

ApproveGrantDep = Annotated[ApproveGrant, Depends(use_case(ApproveGrant, roster))]
DefineFeeCategoryDep = Annotated[DefineFeeCategory, Depends(use_case(DefineFeeCategory, roster))]
DefineFeeItemDep = Annotated[DefineFeeItem, Depends(use_case(DefineFeeItem, roster))]
DefineFeePlanDep = Annotated[DefineFeePlan, Depends(use_case(DefineFeePlan, roster))]


# -- catalogue -------------------------------------------------------------------------------


@router.post(
    "/fee-categories",
    status_code=201,
    responses=NOT_FOUND,
    description=DefineFeeCategory.__doc__,
)
async def create_category(
    body: s.CategoryIn, principal: BillingManagerDep, uc: DefineFeeCategoryDep
) -> s.CategoryOut:
    cat = await uc(principal, NewCategory(body.code, body.name))
    return s.CategoryOut.of(cat)


@router.get("/fee-categories", responses=NOT_FOUND)
async def list_categories(
    principal: BillingManagerDep, session: ReadSessionDep
) -> list[s.CategoryOut]:
    rows = await reads.fee_categories(session, principal.institution_id)
    return [s.CategoryOut.of(c) for c in rows]


@router.post("/fee-items", status_code=201, responses=NOT_FOUND, description=DefineFeeItem.__doc__)
async def create_fee_item(
    body: s.FeeItemIn, principal: BillingManagerDep, uc: DefineFeeItemDep
) -> s.FeeItemOut:
    item = await uc(
        principal,
        NewFeeItem(
            body.category_id, body.name, body.amount, body.currency, body.target, body.target_value
        ),
    )
    return s.FeeItemOut.of(item)


@router.get("/fee-items", responses=NOT_FOUND)
async def list_fee_items(
    principal: BillingManagerDep, session: ReadSessionDep
) -> list[s.FeeItemOut]:
    rows = await reads.fee_items(session, principal.institution_id)
    return [s.FeeItemOut.of(i) for i in rows]


@router.post("/fee-plans", status_code=201, responses=NOT_FOUND, description=DefineFeePlan.__doc__)
async def create_fee_plan(
    body: s.FeePlanIn, principal: BillingManagerDep, uc: DefineFeePlanDep
) -> s.FeePlanOut:
    plan = await uc(
        principal,
        NewFeePlan(
            body.name,
            body.item_ids,
            [NewInstallment(i.label, i.due_on, i.share, i.term_id) for i in body.installments],
        ),
    )
    return s.FeePlanOut.of(plan)


@router.get("/fee-plans", responses=NOT_FOUND)
async def list_fee_plans(
    principal: BillingManagerDep, session: ReadSessionDep
) -> list[s.FeePlanOut]:
    rows = await reads.fee_plans(session, principal.institution_id)
    return [s.FeePlanOut.of(p) for p in rows]


@router.post("/grants", status_code=201, responses=NOT_FOUND, description=ApproveGrant.__doc__)
async def approve_grant(
    body: s.GrantIn, principal: BillingManagerDep, uc: ApproveGrantDep
) -> s.GrantOut:
    grant = await uc(
        principal,
        NewGrant(
            body.student_id,
            body.kind,
            body.name,
            body.percent,
            body.amount,
            body.category_id,
            body.valid_from,
            body.valid_to,
        ),
    )
    return s.GrantOut.of(grant)
