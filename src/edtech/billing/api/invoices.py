"""Routes of invoices and credit notes."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, Protocol

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from edtech.billing.api import schemas as s
from edtech.billing.api.common import (
    IDEMPOTENT,
    NOT_FOUND,
    BillingManagerDep,
    idempotent,
    roster,
    visible_account,
    visible_account_ids,
)
from edtech.billing.application.add_invoice_lines import AddInvoiceLines
from edtech.billing.application.common import LineIn
from edtech.billing.application.draft_invoice import DraftInvoice, NewInvoice
from edtech.billing.application.finalize_invoice import FinalizeInvoice
from edtech.billing.application.generate_invoices import GenerateInvoices, GenerateInvoicesCmd
from edtech.billing.application.issue_credit_note import IssueCreditNote, NewCreditNote
from edtech.billing.application.mark_invoice_uncollectible import MarkInvoiceUncollectible
from edtech.billing.application.void_invoice import VoidInvoice
from edtech.billing.domain.invoices import Invoice
from edtech.billing.infrastructure import reads
from edtech.identity.public import CurrentPrincipalDep
from edtech.kernel.errors import NotFoundError
from edtech.kernel.principal import Principal
from edtech.platform.http.deps import ReadSessionDep, ServicesDep, use_case
from edtech.platform.http.pagination import Page, PageParamsDep, paginate
from edtech.platform.idempotency import IdempotencyKeyHeader

router = APIRouter(prefix="/api/v1/billing", tags=["billing"])

AddInvoiceLinesDep = Annotated[AddInvoiceLines, Depends(use_case(AddInvoiceLines, roster))]
DraftInvoiceDep = Annotated[DraftInvoice, Depends(use_case(DraftInvoice, roster))]
GenerateInvoicesDep = Annotated[GenerateInvoices, Depends(use_case(GenerateInvoices, roster))]
IssueCreditNoteDep = Annotated[IssueCreditNote, Depends(use_case(IssueCreditNote, roster))]


# -- invoices --------------------------------------------------------------------------------


@router.post(
    "/invoices/generate",
    status_code=201,
    responses=NOT_FOUND,
    description=GenerateInvoices.__doc__,
)
async def generate_invoices(
    body: s.GenerateIn, principal: BillingManagerDep, uc: GenerateInvoicesDep
) -> list[s.InvoiceOut]:
    created = await uc(
        principal,
        GenerateInvoicesCmd(body.plan_id, body.term_id, body.due_by, body.finalize),
    )
    return [s.InvoiceOut.of(i) for i in created]


@router.post("/invoices", status_code=201, responses=NOT_FOUND, description=DraftInvoice.__doc__)
async def draft_invoice(
    body: s.InvoiceIn, principal: BillingManagerDep, uc: DraftInvoiceDep
) -> s.InvoiceOut:
    invoice = await uc(
        principal,
        NewInvoice(
            body.account_id,
            body.due_on,
            body.memo,
            [LineIn(x.description, x.amount, x.student_id, x.category_id) for x in body.lines],
        ),
    )
    return s.InvoiceOut.of(invoice)


@router.post(
    "/invoices/{invoice_id}/lines", responses=NOT_FOUND, description=AddInvoiceLines.__doc__
)
async def add_lines(
    invoice_id: uuid.UUID, body: s.LinesIn, principal: BillingManagerDep, uc: AddInvoiceLinesDep
) -> s.InvoiceOut:
    invoice = await uc(
        principal,
        invoice_id,
        [LineIn(x.description, x.amount, x.student_id, x.category_id) for x in body.lines],
    )
    return s.InvoiceOut.of(invoice)


class InvoiceAction(Protocol):
    """Finalize, void or write off: one invoice, by id."""

    async def __call__(self, principal: Principal, invoice_id: uuid.UUID) -> Invoice: ...


def _invoice_action(cls: Callable[..., InvoiceAction], path: str) -> None:
    # A default, not `Annotated`: these annotations are strings resolved in the module, where
    # an alias local to this function does not exist.
    async def act(
        invoice_id: uuid.UUID,
        principal: BillingManagerDep,
        action: InvoiceAction = Depends(use_case(cls, roster)),
    ) -> s.InvoiceOut:
        return s.InvoiceOut.of(await action(principal, invoice_id))

    act.__name__ = f"{path.replace('-', '_')}_invoice"
    router.post(f"/invoices/{{invoice_id}}/{path}", responses=NOT_FOUND, description=cls.__doc__)(
        act
    )


_invoice_action(FinalizeInvoice, "finalize")
_invoice_action(VoidInvoice, "void")
_invoice_action(MarkInvoiceUncollectible, "mark-uncollectible")


@router.get("/invoices", responses=NOT_FOUND)
async def list_invoices(
    request: Request,
    principal: CurrentPrincipalDep,
    session: ReadSessionDep,
    page: PageParamsDep,
    account_id: uuid.UUID | None = None,
    status: str | None = None,
) -> Page[s.InvoiceOut]:
    accounts: set[uuid.UUID] | None
    if account_id is not None:
        await visible_account(session, principal, account_id)
        accounts = {account_id}
    else:  # a guardian: the invoices of every account they may see (managers: None, all)
        accounts = await visible_account_ids(session, principal)
    stmt = reads.invoices_query(principal.institution_id, accounts, status)
    return await paginate(session, stmt, page, request, lambda r: s.InvoiceOut.of(r[0]))


@router.get("/invoices/{invoice_id}", responses=NOT_FOUND)
async def get_invoice(
    invoice_id: uuid.UUID, principal: CurrentPrincipalDep, session: ReadSessionDep
) -> s.InvoiceOut:
    invoice = await reads.invoice(session, principal.institution_id, invoice_id)
    if invoice is None:
        raise NotFoundError("Invoice not found.")
    await visible_account(session, principal, invoice.account_id)
    return s.InvoiceOut.of(invoice)


@router.post(
    "/invoices/{invoice_id}/credit-notes",
    status_code=201,
    responses=IDEMPOTENT,
    description=IssueCreditNote.__doc__,
)
async def issue_credit_note(
    invoice_id: uuid.UUID,
    body: s.CreditNoteIn,
    request: Request,
    key: IdempotencyKeyHeader,
    principal: BillingManagerDep,
    uc: IssueCreditNoteDep,
    services: ServicesDep,
) -> JSONResponse:
    cmd = NewCreditNote(body.amount, body.reason, body.currency)
    return await idempotent(
        request,
        services,
        principal,
        key,
        body,
        lambda hook: uc(principal, invoice_id, cmd, hook),
        s.CreditNoteOut.of,
    )
