"""Routes of payments, refunds, online checkouts and provider webhooks."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from edtech.billing.api import schemas as s
from edtech.billing.api.common import (
    IDEMPOTENT,
    NOT_FOUND,
    PROVIDER_RESPONSES,
    BillingManagerDep,
    CardPaymentsDep,
    idempotent,
    payment_provider,
    provider_problems,
    roster,
    visible_account,
    visible_account_ids,
)
from edtech.billing.application.receive_provider_event import ReceiveProviderEvent
from edtech.billing.application.record_payment import AllocationIn, NewPayment, RecordPayment
from edtech.billing.application.refund_payment import NewRefund, RefundPayment
from edtech.billing.application.start_checkout import Checkout, NewCheckout, StartCheckout
from edtech.billing.infrastructure import reads
from edtech.identity.public import CurrentPrincipalDep
from edtech.kernel.errors import NotFoundError
from edtech.platform.http.deps import ReadSessionDep, ServicesDep, use_case
from edtech.platform.http.pagination import Page, PageParamsDep, paginate
from edtech.platform.idempotency import IdempotencyKeyHeader

router = APIRouter(prefix="/api/v1/billing", tags=["billing"])

ReceiveProviderEventDep = Annotated[
    ReceiveProviderEvent, Depends(use_case(ReceiveProviderEvent, roster, payment_provider))
]
RecordPaymentDep = Annotated[RecordPayment, Depends(use_case(RecordPayment, roster))]
RefundPaymentDep = Annotated[
    RefundPayment, Depends(use_case(RefundPayment, roster, payment_provider))
]
StartCheckoutDep = Annotated[
    StartCheckout, Depends(use_case(StartCheckout, roster, payment_provider))
]


# -- payments --------------------------------------------------------------------------------


@router.post(
    "/accounts/{account_id}/payments",
    status_code=201,
    responses=IDEMPOTENT,
    response_model=s.PaymentOut,
    description=RecordPayment.__doc__,
)
async def record_payment(
    account_id: uuid.UUID,
    body: s.PaymentIn,
    request: Request,
    key: IdempotencyKeyHeader,
    principal: BillingManagerDep,
    uc: RecordPaymentDep,
    services: ServicesDep,
) -> JSONResponse:
    cmd = NewPayment(
        body.amount,
        body.currency,
        body.method,
        body.reference,
        body.received_at,
        None
        if body.allocations is None
        else [AllocationIn(a.invoice_id, a.amount) for a in body.allocations],
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
    accounts: set[uuid.UUID] | None
    if account_id is not None:
        await visible_account(session, principal, account_id)
        accounts = {account_id}
    else:  # a guardian: the payments of every account they may see (managers: None, all)
        accounts = await visible_account_ids(session, principal)
    stmt = reads.payments_query(principal.institution_id, accounts)
    return await paginate(session, stmt, page, request, lambda r: s.PaymentOut.of(r[0]))


@router.post(
    "/payments/{payment_id}/refunds",
    status_code=201,
    responses=PROVIDER_RESPONSES,
    response_model=s.RefundOut,
    description=RefundPayment.__doc__,
)
async def refund_payment(
    payment_id: uuid.UUID,
    body: s.RefundIn,
    request: Request,
    key: IdempotencyKeyHeader,
    principal: BillingManagerDep,
    uc: RefundPaymentDep,
    services: ServicesDep,
) -> JSONResponse:
    cmd = NewRefund(body.amount, body.reason, body.currency)
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
    description=StartCheckout.__doc__,
)
async def start_checkout(
    account_id: uuid.UUID,
    body: s.CheckoutIn,
    request: Request,
    key: IdempotencyKeyHeader,
    principal: CurrentPrincipalDep,
    uc: StartCheckoutDep,
    services: ServicesDep,
    session: ReadSessionDep,
) -> JSONResponse:
    account = await visible_account(session, principal, account_id)
    cmd = NewCheckout(body.amount, body.currency, key)

    def render(c: Checkout) -> s.CheckoutOut:
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
    "/webhooks/{provider}",
    responses={
        401: {"description": "Missing, bad or stale signature; nothing was changed."},
        404: {"description": "Not this node's payment provider."},
    },
    description=ReceiveProviderEvent.__doc__,
)
async def provider_webhook(
    provider: str,
    request: Request,
    services: ServicesDep,
    cards: CardPaymentsDep,
    uc: ReceiveProviderEventDep,
) -> s.WebhookOut:
    adapter = cards.provider
    if adapter is None or provider != adapter.name:
        raise NotFoundError("Unknown payment provider.")
    body = await request.body()
    event = adapter.verify_webhook(request.headers, body, services.clock.now())
    payment = await uc(event)
    return s.WebhookOut(recorded=payment is not None, payment_id=payment.id if payment else None)
