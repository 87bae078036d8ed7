"""Routes of payer accounts, their statements and ledgers, and the aging report."""

from __future__ import annotations

import html
import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse

from edtech.billing.api import schemas as s
from edtech.billing.api.common import (
    NOT_FOUND,
    BillingManagerDep,
    roster,
    visible_account,
    visible_account_ids,
)
from edtech.billing.application.open_payer_account import (
    AccountStudentIn,
    NewAccount,
    OpenPayerAccount,
    SponsorshipIn,
)
from edtech.billing.domain.ledger import balances
from edtech.billing.infrastructure import reads
from edtech.billing.infrastructure.roster import InstitutionsRoster
from edtech.identity.public import CurrentPrincipalDep
from edtech.platform.http.csv_file import csv_response
from edtech.platform.http.deps import ReadSessionDep, ServicesDep, use_case

router = APIRouter(prefix="/api/v1/billing", tags=["billing"])

OpenPayerAccountDep = Annotated[OpenPayerAccount, Depends(use_case(OpenPayerAccount, roster))]


# -- accounts --------------------------------------------------------------------------------


@router.post(
    "/accounts", status_code=201, responses=NOT_FOUND, description=OpenPayerAccount.__doc__
)
async def open_account(
    body: s.AccountIn, principal: BillingManagerDep, uc: OpenPayerAccountDep
) -> s.AccountOut:
    account = await uc(
        principal,
        NewAccount(
            body.kind,
            body.name,
            [AccountStudentIn(x.student_id, x.fee_plan_id) for x in body.students],
            [SponsorshipIn(x.student_id, x.category_ids) for x in body.sponsorships],
        ),
    )
    return s.AccountOut.of(account)


@router.get("/accounts", description="Managers: every account; guardians: their family's.")
async def list_accounts(
    principal: CurrentPrincipalDep, session: ReadSessionDep
) -> list[s.AccountOut]:
    visible = await visible_account_ids(session, principal)
    return [
        s.AccountOut.of(a) for a in await reads.accounts(session, principal.institution_id, visible)
    ]


@router.get("/accounts/{account_id}", responses=NOT_FOUND)
async def get_account(
    account_id: uuid.UUID, principal: CurrentPrincipalDep, session: ReadSessionDep
) -> s.AccountOut:
    return s.AccountOut.of(await visible_account(session, principal, account_id))


# -- reads -----------------------------------------------------------------------------------


@router.get(
    "/accounts/{account_id}/statement",
    responses={**NOT_FOUND, 200: {"content": {"text/csv": {}, "text/html": {}}}},
    description="Opening balance, movements and closing balance, derived from the ledger. "
    "`format=csv` gives the same as CSV, `format=html` as a printable (PDF-ready) page.",
)
async def get_statement(
    account_id: uuid.UUID,
    principal: CurrentPrincipalDep,
    session: ReadSessionDep,
    start: Annotated[
        date | None, Query(description="First school day (inclusive), in the school's zone.")
    ] = None,
    end: Annotated[date | None, Query(description="Last school day (inclusive).")] = None,
    format: Annotated[str, Query(pattern="^(json|csv|html)$")] = "json",
) -> Any:
    account = await visible_account(session, principal, account_id)
    zone = await InstitutionsRoster(session).zone(principal.institution_id)
    st = await reads.statement(
        session, principal.institution_id, account.id, account.currency, start, end, zone
    )
    cur = account.currency
    out = s.StatementOut(
        account_id=account.id,
        currency=cur,
        start=start,
        end=end,
        opening_balance=s.MoneyOut.of(st.opening_minor, cur),
        closing_balance=s.MoneyOut.of(st.closing_minor, cur),
        lines=[
            s.StatementLineOut(
                occurred_at=ln.occurred_at,
                day=ln.day,
                kind=ln.kind,
                document=ln.document,
                description=ln.description,
                amount=s.MoneyOut.of(ln.amount_minor, cur),
                balance=s.MoneyOut.of(ln.balance_minor, cur),
            )
            for ln in st.lines
        ],
    )
    if format == "json":
        return out
    if format == "html":
        return HTMLResponse(statement_html(account.name, out))
    header = ["date", "document", "description", "amount", "balance", "currency"]
    opening: list[object] = [
        start or "",
        "",
        "Opening balance",
        "",
        out.opening_balance.amount,
        cur,
    ]
    rows: list[list[object]] = [opening]
    rows += [
        [ln.day.isoformat(), ln.document, ln.description, ln.amount.amount, ln.balance.amount, cur]
        for ln in out.lines
    ]
    rows.append([end or "", "", "Closing balance", "", out.closing_balance.amount, cur])
    return csv_response(f"statement-{account_id}", header, rows)


@router.get("/accounts/{account_id}/ledger", responses=NOT_FOUND)
async def get_ledger(
    account_id: uuid.UUID, principal: BillingManagerDep, session: ReadSessionDep
) -> s.LedgerOut:
    account = await visible_account(session, principal, account_id)
    rows = await reads.ledger_rows(session, principal.institution_id, account.id)
    cur = account.currency
    b = balances((r.ledger_account, r.amount_minor) for r in rows)
    return s.LedgerOut(
        account_id=account.id,
        rows=[
            s.LedgerRowOut(
                transaction_id=r.transaction_id,
                kind=r.kind,
                reference_id=r.reference_id,
                ledger_account=r.ledger_account,
                amount=s.MoneyOut.of(r.amount_minor, cur),
                occurred_at=r.occurred_at,
            )
            for r in rows
        ],
        receivable=s.MoneyOut.of(b.receivable, cur),
        customer_credit=s.MoneyOut.of(b.customer_credit, cur),
        net_owed=s.MoneyOut.of(b.net_owed, cur),
    )


@router.get(
    "/reports/aging",
    responses=NOT_FOUND,
    description="Open amounts per account by days past due: current, 1–30, 31–60, 61–90, 90+.",
)
async def aging_report(
    principal: BillingManagerDep,
    session: ReadSessionDep,
    services: ServicesDep,
    as_of: date | None = None,
) -> s.AgingOut:
    roster = InstitutionsRoster(session)
    day = as_of or await roster.today(principal.institution_id, services.clock)
    cur = await roster.currency(principal.institution_id) or "EUR"
    rows = await reads.aging(session, principal.institution_id, day)
    m = s.MoneyOut.of
    return s.AgingOut(
        as_of=day,
        currency=cur,
        rows=[
            s.AgingRowOut(
                account_id=r.account_id,
                name=r.name,
                current=m(r.current, cur),
                days_1_30=m(r.d1_30, cur),
                days_31_60=m(r.d31_60, cur),
                days_61_90=m(r.d61_90, cur),
                days_90_plus=m(r.d90_plus, cur),
                total=m(r.total, cur),
            )
            for r in rows
        ],
        total=m(sum(r.total for r in rows), cur),
    )


def statement_html(name: str, st: s.StatementOut) -> str:
    """A self-contained printable statement (every value escaped)."""
    e = html.escape
    rows = "".join(
        f"<tr><td>{e(ln.day.isoformat())}</td><td>{e(ln.document)}</td>"
        f"<td>{e(ln.description)}</td><td class=n>{e(ln.amount.amount)}</td>"
        f"<td class=n>{e(ln.balance.amount)}</td></tr>"
        for ln in st.lines
    )
    return (
        "<!doctype html><html><head><meta charset=utf-8>"
        f"<title>Statement — {e(name)}</title><style>body{{font-family:sans-serif}}"
        "table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ccc;"
        "padding:4px}.n{text-align:right}</style></head><body>"
        f"<h1>Statement — {e(name)}</h1><p>Currency: {e(st.currency)}</p>"
        f"<p>Opening balance: {e(st.opening_balance.amount)}</p><table><tr><th>Date</th>"
        "<th>Document</th><th>Description</th><th>Amount</th><th>Balance</th></tr>"
        f"{rows}</table><p><strong>Closing balance: {e(st.closing_balance.amount)}"
        "</strong></p></body></html>"
    )
