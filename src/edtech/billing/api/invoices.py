"""Routes of invoices and credit notes."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from edtech.billing.api import schemas as s
from edtech.billing.api.common import (
    IDEMPOTENT,
    NOT_FOUND,
    deps,
    idempotent,
    require_manager,
    visible_account,
    visible_account_ids,
)
from edtech.billing.application import invoicing as inv_uc
from edtech.billing.domain.invoices import Invoice
from edtech.billing.infrastructure import tables as t
from edtech.identity.public import CurrentPrincipalDep
from edtech.kernel.errors import NotFoundError
from edtech.platform.http.deps import ReadSessionDep, ServicesDep
from edtech.platform.http.pagination import Page, PageParamsDep, paginate
from edtech.platform.idempotency import IdempotencyKeyHeader

router = APIRouter(prefix="/api/v1/billing", tags=["billing"])


# -- invoices --------------------------------------------------------------------------------


@router.post(
    "/invoices/generate",
    status_code=201,
    responses=NOT_FOUND,
    description=inv_uc.GenerateInvoices.__doc__,
)
async def generate_invoices(
    body: s.GenerateIn, principal: CurrentPrincipalDep, services: ServicesDep
) -> list[s.InvoiceOut]:
    created = await inv_uc.GenerateInvoices(*deps(services))(
        principal,
        inv_uc.GenerateInvoicesCmd(body.plan_id, body.term_id, body.due_by, body.finalize),
    )
    return [s.InvoiceOut.of(i) for i in created]


@router.post(
    "/invoices", status_code=201, responses=NOT_FOUND, description=inv_uc.DraftInvoice.__doc__
)
async def draft_invoice(
    body: s.InvoiceIn, principal: CurrentPrincipalDep, services: ServicesDep
) -> s.InvoiceOut:
    invoice = await inv_uc.DraftInvoice(*deps(services))(
        principal,
        inv_uc.NewInvoice(
            body.account_id,
            body.due_on,
            body.memo,
            [
                inv_uc.LineIn(x.description, x.amount, x.student_id, x.category_id)
                for x in body.lines
            ],
        ),
    )
    return s.InvoiceOut.of(invoice)


@router.post(
    "/invoices/{invoice_id}/lines", responses=NOT_FOUND, description=inv_uc.AddInvoiceLines.__doc__
)
async def add_lines(
    invoice_id: uuid.UUID, body: s.LinesIn, principal: CurrentPrincipalDep, services: ServicesDep
) -> s.InvoiceOut:
    invoice = await inv_uc.AddInvoiceLines(*deps(services))(
        principal,
        invoice_id,
        [inv_uc.LineIn(x.description, x.amount, x.student_id, x.category_id) for x in body.lines],
    )
    return s.InvoiceOut.of(invoice)


def _invoice_action(uc: type[inv_uc.InvoicingUseCase], path: str) -> None:
    async def act(
        invoice_id: uuid.UUID, principal: CurrentPrincipalDep, services: ServicesDep
    ) -> s.InvoiceOut:
        invoice: Invoice = await uc(*deps(services))(principal, invoice_id)  # type: ignore[operator]
        return s.InvoiceOut.of(invoice)

    act.__name__ = f"{path.replace('-', '_')}_invoice"
    router.post(f"/invoices/{{invoice_id}}/{path}", responses=NOT_FOUND, description=uc.__doc__)(
        act
    )


_invoice_action(inv_uc.FinalizeInvoice, "finalize")
_invoice_action(inv_uc.VoidInvoice, "void")
_invoice_action(inv_uc.MarkInvoiceUncollectible, "mark-uncollectible")


@router.get("/invoices", responses=NOT_FOUND)
async def list_invoices(
    request: Request,
    principal: CurrentPrincipalDep,
    session: ReadSessionDep,
    page: PageParamsDep,
    account_id: uuid.UUID | None = None,
    status: str | None = None,
) -> Page[s.InvoiceOut]:
    stmt = sa.select(Invoice).where(t.invoice.c.institution_id == principal.institution_id)
    if account_id is not None:
        await visible_account(session, principal, account_id)
        stmt = stmt.where(t.invoice.c.account_id == account_id)
    else:  # a guardian: the invoices of every account they may see
        visible = await visible_account_ids(session, principal)
        if visible is not None:
            stmt = stmt.where(t.invoice.c.account_id.in_(visible))
    if status is not None:
        stmt = stmt.where(t.invoice.c.status == status)
    stmt = stmt.order_by(t.invoice.c.due_on, t.invoice.c.id)
    return await paginate(session, stmt, page, request, lambda r: s.InvoiceOut.of(r[0]))


@router.get("/invoices/{invoice_id}", responses=NOT_FOUND)
async def get_invoice(
    invoice_id: uuid.UUID, principal: CurrentPrincipalDep, session: ReadSessionDep
) -> s.InvoiceOut:
    invoice = (
        await session.scalars(
            sa.select(Invoice).where(
                t.invoice.c.id == invoice_id, t.invoice.c.institution_id == principal.institution_id
            )
        )
    ).first()
    if invoice is None:
        raise NotFoundError("Invoice not found.")
    await visible_account(session, principal, invoice.account_id)
    return s.InvoiceOut.of(invoice)


@router.post(
    "/invoices/{invoice_id}/credit-notes",
    status_code=201,
    responses=IDEMPOTENT,
    description=inv_uc.IssueCreditNote.__doc__,
)
async def issue_credit_note(
    invoice_id: uuid.UUID,
    body: s.CreditNoteIn,
    request: Request,
    key: IdempotencyKeyHeader,
    principal: CurrentPrincipalDep,
    services: ServicesDep,
) -> JSONResponse:
    require_manager(principal)
    uc = inv_uc.IssueCreditNote(*deps(services))
    cmd = inv_uc.NewCreditNote(body.amount, body.reason, body.currency)
    return await idempotent(
        request,
        services,
        principal,
        key,
        body,
        lambda hook: uc(principal, invoice_id, cmd, hook),
        s.CreditNoteOut.of,
    )
