"""Routes of payments, refunds, online checkouts and provider webhooks."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from edtech.billing.api import schemas as s
from edtech.billing.api.common import (
    IDEMPOTENT,
    NOT_FOUND,
    PROVIDER_RESPONSES,
    ProviderDep,
    deps,
    idempotent,
    provider_problems,
    require_manager,
    visible_account,
    visible_account_ids,
)
from edtech.billing.application import payments as pay_uc
from edtech.billing.domain.payments import Payment
from edtech.billing.infrastructure import tables as t
from edtech.identity.public import CurrentPrincipalDep
from edtech.kernel.errors import NotFoundError
from edtech.platform.http.deps import ReadSessionDep, ServicesDep
from edtech.platform.http.pagination import Page, PageParamsDep, paginate
from edtech.platform.idempotency import IdempotencyKeyHeader

router = APIRouter(prefix="/api/v1/billing", tags=["billing"])


# -- payments --------------------------------------------------------------------------------


@router.post(
    "/accounts/{account_id}/payments",
    status_code=201,
    responses=IDEMPOTENT,
    response_model=s.PaymentOut,
    description=pay_uc.RecordPayment.__doc__,
)
async def record_payment(
    account_id: uuid.UUID,
    body: s.PaymentIn,
    request: Request,
    key: IdempotencyKeyHeader,
    principal: CurrentPrincipalDep,
    services: ServicesDep,
) -> JSONResponse:
    require_manager(principal)
    uc = pay_uc.RecordPayment(*deps(services))
    cmd = pay_uc.NewPayment(
        body.amount,
        body.currency,
        body.method,
        body.reference,
        body.received_at,
        None
        if body.allocations is None
        else [pay_uc.AllocationIn(a.invoice_id, a.amount) for a in body.allocations],
    )
    return await idempotent(
        request,
        services,
        principal,
        key,
        body,
        lambda hook: uc(principal, account_id, cmd, hook),
        s.PaymentOut.of,
    )


@router.get("/payments", responses=NOT_FOUND)
async def list_payments(
    request: Request,
    principal: CurrentPrincipalDep,
    session: ReadSessionDep,
    page: PageParamsDep,
    account_id: uuid.UUID | None = None,
) -> Page[s.PaymentOut]:
    stmt = sa.select(Payment).where(t.payment.c.institution_id == principal.institution_id)
    if account_id is not None:
        await visible_account(session, principal, account_id)
        stmt = stmt.where(t.payment.c.account_id == account_id)
    else:  # a guardian: the payments of every account they may see
        visible = await visible_account_ids(session, principal)
        if visible is not None:
            stmt = stmt.where(t.payment.c.account_id.in_(visible))
    stmt = stmt.order_by(t.payment.c.received_at, t.payment.c.receipt)
    return await paginate(session, stmt, page, request, lambda r: s.PaymentOut.of(r[0]))


@router.post(
    "/payments/{payment_id}/refunds",
    status_code=201,
    responses=PROVIDER_RESPONSES,
    response_model=s.RefundOut,
    description=pay_uc.RefundPayment.__doc__,
)
async def refund_payment(
    payment_id: uuid.UUID,
    body: s.RefundIn,
    request: Request,
    key: IdempotencyKeyHeader,
    principal: CurrentPrincipalDep,
    services: ServicesDep,
    provider: ProviderDep,
) -> JSONResponse:
    require_manager(principal)
    uc = pay_uc.RefundPayment(*deps(services), provider)
    cmd = pay_uc.NewRefund(body.amount, body.reason, body.currency)
    with provider_problems():
        return await idempotent(
            request,
            services,
            principal,
            key,
            body,
            lambda hook: uc(principal, payment_id, cmd, hook),
            s.RefundOut.of,
        )


# -- online payments -------------------------------------------------------------------------


@router.post(
    "/accounts/{account_id}/checkouts",
    status_code=201,
    responses=PROVIDER_RESPONSES,
    response_model=s.CheckoutOut,
    description=pay_uc.StartCheckout.__doc__,
)
async def start_checkout(
    account_id: uuid.UUID,
    body: s.CheckoutIn,
    request: Request,
    key: IdempotencyKeyHeader,
    principal: CurrentPrincipalDep,
    services: ServicesDep,
    session: ReadSessionDep,
    provider: ProviderDep,
) -> JSONResponse:
    account = await visible_account(session, principal, account_id)
    uc = pay_uc.StartCheckout(*deps(services), provider)
    cmd = pay_uc.NewCheckout(body.amount, body.currency, key)

    def render(c: pay_uc.Checkout) -> s.CheckoutOut:
        return s.CheckoutOut(
            id=c.id,
            account_id=c.account_id,
            amount=s.MoneyOut.of(c.amount_minor, c.currency),
            provider=c.provider,
            intent_ref=c.intent.ref,
            redirect_url=c.intent.redirect_url,
        )

    with provider_problems():
        return await idempotent(
            request,
            services,
            principal,
            key,
            body,
            lambda hook: uc(principal, account, cmd, hook),
            render,
        )


@router.post(
    "/webhooks/{provider_name}",
    responses={
        401: {"description": "Missing, bad or stale signature; nothing was changed."},
        404: {"description": "Not this node's payment provider, or an unknown checkout."},
    },
    description=pay_uc.ReceiveProviderEvent.__doc__,
)
async def provider_webhook(
    provider_name: str, request: Request, services: ServicesDep, provider: ProviderDep
) -> s.WebhookOut:
    if provider is None or provider_name != provider.name:
        raise NotFoundError("Unknown payment provider.")
    body = await request.body()
    event = provider.verify_webhook(request.headers, body, services.clock.now())
    payment = await pay_uc.ReceiveProviderEvent(*deps(services), provider)(event)
    return s.WebhookOut(recorded=payment is not None, payment_id=payment.id if payment else None)
